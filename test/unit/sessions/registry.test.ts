// The session registry at shutdown, driven directly with real processes: a session whose spawn is
// still in flight when shutdown begins must not outlive it.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import { resolveConfig } from '../../../server/src/config/load.ts';
import { createAudit } from '../../../server/src/log/audit.ts';
import { createLogger } from '../../../server/src/log/logger.ts';
import { SessionRegistry } from '../../../server/src/sessions/registry.ts';
import { SessionActions } from '../../../server/src/sessions/actions.ts';

const MARKER = ['sleep', '987655'];

/** Live processes whose command line is exactly MARKER. */
function markerProcesses(): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0$/, '');
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1];
      if (cmdline === MARKER.join('\0') && state !== 'Z') found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test('a session still starting when shutdown begins is terminated and refused with SHUTTING_DOWN', async () => {
  const config = await resolveConfig({
    tokens: [{ name: 'op', token: 'x'.repeat(20), role: 'operator' }],
    profiles: { sleeper: { argv: MARKER, mode: 'pipe' } },
    limits: { terminateGracePeriodMs: 100 },
  });
  const logger = createLogger('silent');
  const audit = createAudit(logger, undefined);
  const registry = new SessionRegistry(config, logger, audit, new SessionActions(audit));
  const principal = { name: 'op', role: 'operator' as const, scope: 'own' as const };
  const creating = registry.create({ profile: 'sleeper', args: undefined, principal, from: undefined });
  const terminated = await registry.terminateAll(100); // while the spawn is in flight
  await assert.rejects(
    creating,
    (error: unknown) => error instanceof ProtocolError && error.code === ErrorCode.ShuttingDown,
  );
  assert.equal(terminated.size, 0);
  assert.equal(registry.size, 0);
  assert.deepEqual(markerProcesses(), [], 'the late process was terminated');
});
