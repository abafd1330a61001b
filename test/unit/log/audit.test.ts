// The audit trail's records as an investigator reads them: in the log and in the audit file alike,
// every record names who and from where — null, not a missing field, when nobody or no address.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { auditedOrigin, createAudit } from '../../../server/src/log/audit.ts';
import { createLogger } from '../../../server/src/log/logger.ts';

test('a record the gateway wrote on its own has from: null in the log and in the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shellgate-audit-'));
  try {
    const lines: string[] = [];
    const file = join(dir, 'audit.jsonl');
    const audit = createAudit(
      createLogger('info', (line) => lines.push(line)),
      file,
    );
    audit.record('remove', { who: 'operator', from: undefined, session: 'S' });
    audit.record('login', { who: 'operator', from: '127.0.0.1' });
    await audit.close();
    const logged = lines.map((line): unknown => JSON.parse(line));
    const filed = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line): unknown => JSON.parse(line));
    for (const records of [logged, filed]) {
      assert.equal(records.length, 2);
      assert.deepEqual(
        records.map((record) => {
          const { event, who, from } = record as Record<string, unknown>;
          return { event, who, from };
        }),
        [
          { event: 'remove', who: 'operator', from: null },
          { event: 'login', who: 'operator', from: '127.0.0.1' },
        ],
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an Origin header is kept up to 200 characters; none is null', () => {
  assert.equal(auditedOrigin(undefined), null);
  assert.equal(auditedOrigin('http://evil.example'), 'http://evil.example');
  assert.equal(auditedOrigin(`http://${'a'.repeat(300)}`)?.length, 200);
});
