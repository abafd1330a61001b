// Every action on a session through the one door, against a real `cat` session and a real audit
// file: who may act through which door, what is refused with which sentence, what is recorded.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import { resolveConfig } from '../../../server/src/config/load.ts';
import { createAudit } from '../../../server/src/log/audit.ts';
import type { Audit } from '../../../server/src/log/audit.ts';
import { createLogger } from '../../../server/src/log/logger.ts';
import { SessionActions } from '../../../server/src/sessions/actions.ts';
import type { Actor } from '../../../server/src/sessions/actions.ts';
import { Session } from '../../../server/src/sessions/session.ts';

const alice = { name: 'alice', role: 'operator' as const, scope: 'own' as const };
const bob = { name: 'bob', role: 'operator' as const, scope: 'own' as const };
const watcher = { name: 'watcher', role: 'viewer' as const, scope: 'all' as const };

let dir: string;
let audit: Audit;
let auditFile: string;
let actions: SessionActions;
const sessions: Session[] = [];

async function startCat(): Promise<Session> {
  const config = await resolveConfig({
    tokens: [{ name: 'alice', token: 'a'.repeat(20), role: 'operator' }],
    profiles: { cat: { argv: ['cat'], mode: 'pipe' } },
    limits: { terminateGracePeriodMs: 200 },
  });
  const session = await Session.start(
    {
      id: `s${sessions.length}`,
      profile: 'cat',
      argv: ['cat'],
      mode: 'pipe',
      cwd: undefined,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      owner: alice,
      from: '127.0.0.1',
      size: { cols: 80, rows: 24 },
      screen: false,
    },
    {
      limits: config.limits,
      logger: createLogger('silent'),
      idle: () => undefined,
      exited: (exited, status) => actions.exited(exited, status, {}),
      expire: () => undefined,
    },
  );
  sessions.push(session);
  return session;
}

type AuditLine = Record<string, unknown>;

/** The audit file's records of `session`, once `count` of them are written (the file is appended asynchronously). */
async function recordsOf(session: Session, count: number): Promise<AuditLine[]> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const text = await readFile(auditFile, 'utf8').catch(() => '');
    const lines = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AuditLine)
      .filter((record) => record.session === session.id);
    if (lines.length >= count) return lines;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} audit records for ${session.id} after 5 s`);
}

const forbidden = (sentence: string) => (error: unknown) =>
  error instanceof ProtocolError && error.code === ErrorCode.Forbidden && error.message === sentence;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shellgate-actions-'));
  auditFile = join(dir, 'audit.jsonl');
  audit = createAudit(createLogger('silent'), auditFile);
  actions = new SessionActions(audit);
});

after(async () => {
  for (const session of sessions) {
    await session.terminate(200);
    session.remove();
  }
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

test('a control stream client may write, signal and close stdin; the signal and the close are audited', async () => {
  const session = await startCat();
  const actor: Actor = { via: 'stream', principal: alice, from: '10.0.0.1', role: 'control' };
  actions.perform(actor, session, { type: 'write', data: Buffer.from('hi\n') });
  actions.perform(actor, session, { type: 'signal', signal: 'SIGCONT' });
  actions.perform(actor, session, { type: 'close-stdin' });
  await session.exited;
  const mine = await recordsOf(session, 3);
  assert.deepEqual(
    mine.map((record) => [record.event, record.who, record.from]),
    [
      ['signal', 'alice', '10.0.0.1'],
      ['close-stdin', 'alice', '10.0.0.1'],
      ['exit', 'alice', '127.0.0.1'],
    ],
    'keystrokes are not audited; the exit is recorded for the owner and the address that started it',
  );
  assert.equal(mine[0]?.signal, 'SIGCONT');
});

test('a view stream client may not act, and the refusal names the action', async () => {
  const session = await startCat();
  const viewer: Actor = { via: 'stream', principal: alice, from: undefined, role: 'view' };
  assert.throws(
    () => actions.perform(viewer, session, { type: 'write', data: Buffer.from('x') }),
    forbidden('a "view" client may not write to the session'),
  );
  assert.throws(
    () => actions.perform(viewer, session, { type: 'signal', signal: 'SIGINT' }),
    forbidden('a "view" client may not signal the session'),
  );
  assert.throws(
    () => actions.terminate(viewer, session, 100),
    forbidden('a "view" client may not terminate the session'),
  );
  assert.equal(session.state, 'running');
});

test("over HTTP, a token may act only on sessions it controls: not a viewer's, not another owner's", async () => {
  const session = await startCat();
  assert.throws(
    () =>
      actions.perform({ via: 'http', principal: watcher, from: undefined }, session, { type: 'close-stdin' }),
    forbidden('a viewer token may not close the stdin of sessions'),
  );
  assert.throws(
    () => actions.terminate({ via: 'http', principal: bob, from: undefined }, session, 100),
    forbidden('a operator token may not terminate sessions'),
  );
  const outcome = await actions.terminate({ via: 'http', principal: alice, from: '::1' }, session, 100);
  assert.equal(outcome.code, 0, 'cat ends at the first stage, when its stdin closes');
  const terminate = (await recordsOf(session, 1)).find((record) => record.event === 'terminate');
  assert.deepEqual(
    { who: terminate?.who, from: terminate?.from, grace: terminate?.gracePeriodMs },
    {
      who: 'alice',
      from: '::1',
      grace: 100,
    },
  );
});

test('the gateway itself may terminate, and its record says why with no one as the actor', async () => {
  const session = await startCat();
  await actions.terminate({ via: 'gateway', reason: 'idle timeout' }, session, 100);
  const record = (await recordsOf(session, 1)).find((entry) => entry.event === 'terminate');
  assert.equal(record?.who, null);
  assert.equal(record?.reason, 'idle timeout');
});
