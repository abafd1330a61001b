// Fleet mode with real parts: one embedded PostgreSQL and three gateway processes (nodes a, b, c)
// on loopback. Each test says which node owns a session and which node a client goes through.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CloseCode,
  ErrorCode,
  nodesResponseSchema,
  sessionInfoSchema,
  sessionsResponseSchema,
} from '@shellgate/shared';
import type { SessionInfo } from '@shellgate/shared';
import pg from 'pg';
import { auditRecordsIn } from '../helpers/audit.js';
import type { AuditRecord } from '../helpers/audit.js';
import { eventually } from '../helpers/eventually.js';
import { runCli } from '../helpers/cli-client.js';
import { startGateway } from '../helpers/gateway.js';
import type { Gateway } from '../helpers/gateway.js';
import { api, errorCode, get } from '../helpers/http.js';
import { startPostgres } from '../helpers/postgres.js';
import type { TestPostgres } from '../helpers/postgres.js';
import { liveInGroup } from '../helpers/processes.js';
import { connect, connectRefused } from '../helpers/ws-client.js';

/** Short, so that a lost node shows within the test; generous enough for a loaded machine. */
const LEASE_SECONDS = 3;
/** How long a test waits for the fleet to catch up (a lease, a database restart, a rejoin). */
const FLEET_WAIT_MS = 20_000;
const SECRET = randomBytes(32).toString('base64url');
const OPERATOR = randomBytes(24).toString('base64url');
const VIEWER = randomBytes(24).toString('base64url');
const NAMES = ['a', 'b', 'c'] as const;
/** d is started by the one test that needs it: a node served under a basePath. */
type NodeName = (typeof NAMES)[number] | 'd';
const D_BASE_PATH = '/shell';

let postgres: TestPostgres | undefined;
const nodes = new Map<NodeName, Gateway>();
/** Process groups of every session started, killed at the end (a SIGKILLed node leaves its own). */
const groups = new Set<number>();
const auditDir = join(tmpdir(), `shellgate-fleet-audit-${randomBytes(4).toString('hex')}`);

function node(name: NodeName): Gateway {
  const gateway = nodes.get(name);
  if (gateway === undefined) throw new Error(`node ${name} is not running`);
  return gateway;
}

async function startNode(name: NodeName): Promise<Gateway> {
  if (postgres === undefined) throw new Error('no database');
  const gateway = await startGateway({
    config: {
      tokens: [
        { name: 'operator', token: OPERATOR, role: 'operator' },
        { name: 'viewer', token: VIEWER, role: 'viewer' },
      ],
      fleet: {
        database: postgres.url,
        node: name,
        secretEnv: 'SHELLGATE_FLEET_SECRET',
        leaseSeconds: LEASE_SECONDS,
      },
      log: { level: 'info', audit: join(auditDir, `${name}.jsonl`) },
      // Profiles may differ per node; c stands behind a reverse proxy (the test, on loopback).
      ...(name === 'c'
        ? { profiles: { 'only-on-c': { argv: ['true'], mode: 'pipe' } }, trustedProxies: ['loopback'] }
        : {}),
      ...(name === 'd' ? { basePath: D_BASE_PATH } : {}),
    },
    env: { SHELLGATE_FLEET_SECRET: SECRET },
  });
  nodes.set(name, gateway);
  return gateway;
}

async function killNode(name: NodeName): Promise<void> {
  const gateway = node(name);
  process.kill(gateway.pid, 'SIGKILL');
  await gateway.stop();
  nodes.delete(name);
}

async function create(
  on: NodeName,
  script: string,
  extra: Record<string, unknown> = {},
): Promise<SessionInfo> {
  const response = await api(node(on).url, 'POST', '/api/sessions', {
    token: OPERATOR,
    body: { profile: 'sh', args: [script], ...extra },
  });
  assert.equal(response.status, 201, response.text);
  const session = sessionInfoSchema.parse(get(response.body, 'session'));
  if (session.pid !== null) groups.add(session.pid);
  return session;
}

async function listed(on: NodeName, token = OPERATOR): Promise<SessionInfo[]> {
  const response = await api(node(on).url, 'GET', '/api/sessions', { token });
  assert.equal(response.status, 200, response.text);
  return sessionsResponseSchema.parse(response.body).sessions;
}

/** The records of `event` in node `name`'s audit file so far. */
async function auditFileRecords(name: NodeName, event: string): Promise<AuditRecord[]> {
  return auditRecordsIn((await readFile(join(auditDir, `${name}.jsonl`), 'utf8')).split('\n'), event);
}

/** Polls (bounded by FLEET_WAIT_MS) until `probe` returns something. */
function fleetCatchesUp<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  return eventually(what, probe, FLEET_WAIT_MS);
}

before(async () => {
  postgres = await startPostgres();
  const { mkdir } = await import('node:fs/promises');
  await mkdir(auditDir, { recursive: true });
  await Promise.all(NAMES.map((name) => startNode(name)));
});

after(async () => {
  try {
    await Promise.allSettled([...nodes.values()].map((gateway) => gateway.stop()));
    for (const pgid of groups) {
      if (liveInGroup(pgid).length > 0) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
  } finally {
    await postgres?.dispose();
    const { rm } = await import('node:fs/promises');
    await rm(auditDir, { recursive: true, force: true });
  }
});

describe('fleet', () => {
  test("every node lists every node and the fleet's sessions, each with its node", async () => {
    const response = await api(node('b').url, 'GET', '/api/nodes', { token: VIEWER });
    assert.equal(response.status, 200, response.text);
    const listedNodes = nodesResponseSchema.parse(response.body).nodes;
    assert.deepEqual(
      listedNodes.map((n) => [n.name, n.state, n.self]),
      [
        ['a', 'up', false],
        ['b', 'up', true],
        ['c', 'up', false],
      ],
    );
    const session = await create('a', 'echo hi; sleep 30');
    assert.equal(session.node, 'a');
    for (const name of NAMES) {
      const found = (await listed(name)).find((s) => s.id === session.id);
      assert.equal(found?.node, 'a', `node ${name} lists the session as a's`);
    }
    const elsewhere = await api(node('b').url, 'POST', '/api/sessions', {
      token: OPERATOR,
      body: { profile: 'sh', args: ['sleep 30'], node: 'c' },
    });
    assert.equal(elsewhere.status, 201, elsewhere.text);
    const onC = sessionInfoSchema.parse(get(elsewhere.body, 'session'));
    if (onC.pid !== null) groups.add(onC.pid);
    assert.equal(onC.node, 'c', 'started on the node asked for');
    const profileNames = async (path: string): Promise<unknown> => {
      const response = await api(node('a').url, 'GET', path, { token: OPERATOR });
      assert.equal(response.status, 200, response.text);
      return (get(response.body, 'profiles') as Array<{ name: string }>)
        .map((p) => p.name)
        .includes('only-on-c');
    };
    assert.equal(await profileNames('/api/profiles'), false, "a's own profiles");
    assert.equal(await profileNames('/api/profiles?node=c'), true, "c's profiles, asked through a");
    const unknown = await api(node('b').url, 'POST', '/api/sessions', {
      token: OPERATOR,
      body: { profile: 'sh', args: ['true'], node: 'nowhere' },
    });
    assert.equal(unknown.status, 404);
    assert.equal(errorCode(unknown), ErrorCode.NodeNotFound);
    for (const id of [session.id, onC.id]) {
      const deleted = await api(node('b').url, 'DELETE', `/api/sessions/${id}`, { token: OPERATOR });
      assert.equal(deleted.status, 200, deleted.text);
    }
  });

  test('the CLI runs a command on another node with --node, through the node it talks to', async () => {
    const result = await runCli(['exec', '--node', 'c', 'sh', 'echo "ran $0"; exit 3'], {
      url: node('a').url,
      token: OPERATOR,
      input: '',
    });
    assert.equal(result.status, 3, result.stderr.toString());
    assert.equal(result.stdout.toString(), 'ran sh\n');
    const ran = (await listed('c')).find((s) => s.argv.includes('echo "ran $0"; exit 3'));
    assert.equal(ran?.node, 'c', 'the session ran on c');
    const lost = await runCli(['exec', '--node', 'nowhere', 'sh', 'true'], {
      url: node('a').url,
      token: OPERATOR,
      input: '',
    });
    assert.equal(lost.status, 255);
    assert.match(lost.stderr.toString(), /no fleet node named "nowhere"/);
  });

  test('create on A, attach through B, resume by offset through C after B is killed: every byte once', async () => {
    const lines = (from: number, to: number): string => {
      let text = '';
      for (let i = from; i < to; i += 1) text += `line ${i}\n`;
      return text;
    };
    // Half the output, then it waits for a line of input, then the other half.
    const script =
      'i=0; while [ $i -lt 20000 ]; do echo "line $i"; i=$((i+1)); done; read go; ' +
      'while [ $i -lt 40000 ]; do echo "line $i"; i=$((i+1)); done';
    const session = await create('a', script);
    const viaB = await connect(node('b').url, session.id, { token: OPERATOR });
    const half = Buffer.byteLength(lines(0, 20_000));
    try {
      await viaB.waitForBytes(Math.floor(half / 3), 20_000);
      await killNode('b');
      await viaB.waitForClose(10_000);
    } finally {
      if (!nodes.has('b')) await startNode('b');
    }
    const first = viaB.output();
    const viaC = await connect(node('c').url, session.id, { token: OPERATOR, offset: viaB.position });
    assert.equal((await viaC.nextMessage('hello')).offset, viaB.position, 'resumed where the client left');
    await viaC.waitForBytes(half - first.length, 20_000);
    viaC.sendInput('go\n');
    await viaC.nextMessage('exit', 20_000);
    const all = Buffer.concat([first, viaC.output()]).toString('utf8');
    assert.equal(all.length, lines(0, 40_000).length);
    assert.ok(all === lines(0, 40_000), 'every byte once, in order');
    await viaC.close();
  });

  test('signal and terminate through nodes that do not own the session', async () => {
    const session = await create('a', 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.05; done');
    const viaC = await connect(node('c').url, session.id, { token: OPERATOR, role: 'view' });
    await viaC.waitForOutput((text) => text.includes('ready'));
    const signalled = await api(node('b').url, 'POST', `/api/sessions/${session.id}/signal`, {
      token: OPERATOR,
      body: { signal: 'SIGUSR1' },
    });
    assert.equal(signalled.status, 200, signalled.text);
    await viaC.waitForOutput((text) => text.includes('got-usr1'));
    const viewerTries = await api(node('b').url, 'DELETE', `/api/sessions/${session.id}`, { token: VIEWER });
    assert.equal(viewerTries.status, 403, 'the owner re-checks authorization');
    const terminated = await api(node('c').url, 'DELETE', `/api/sessions/${session.id}`, { token: OPERATOR });
    assert.equal(terminated.status, 200, terminated.text);
    assert.equal(get(terminated.body, 'session', 'state'), 'exited');
    await viaC.nextMessage('exit');
    const seen = await fleetCatchesUp('b sees the session exited', async () => {
      const info = (await listed('b')).find((s) => s.id === session.id);
      return info?.state === 'exited' ? info : undefined;
    });
    assert.equal(seen.node, 'a');
  });

  test('a node under a basePath forwards requests and streams to the owner without its prefix', async () => {
    const base = `${(await startNode('d')).url}${D_BASE_PATH}`;
    try {
      const session = await create('a', 'echo ready; read line; echo "got $line"');
      const info = await api(base, 'GET', `/api/sessions/${session.id}`, { token: OPERATOR });
      assert.equal(info.status, 200, info.text);
      assert.equal(get(info.body, 'session', 'node'), 'a');
      const viaD = await connect(base, session.id, { token: OPERATOR });
      await viaD.waitForOutput((text) => text.includes('ready'));
      viaD.sendInput('through d\n');
      await viaD.waitForOutput((text) => text.includes('got through d'));
      await viaD.nextMessage('exit');
      await viaD.close();
    } finally {
      await node('d').stop();
      nodes.delete('d');
    }
  });

  test("through a trusted proxy, the owner's audit records name the client, not the proxy", async () => {
    const auditOfA = async (event: string, session: string): Promise<AuditRecord | undefined> =>
      (await auditFileRecords('a', event)).find((record) => record.session === session);
    // c believes X-Forwarded-For from loopback; it forwards both requests to a, which owns the session.
    const created = await api(node('c').url, 'POST', '/api/sessions', {
      token: OPERATOR,
      headers: { 'x-forwarded-for': '203.0.113.21' },
      body: { profile: 'sh', args: ['echo ready; sleep 30'], node: 'a' },
    });
    assert.equal(created.status, 201, created.text);
    const session = sessionInfoSchema.parse(get(created.body, 'session'));
    if (session.pid !== null) groups.add(session.pid);
    assert.equal(session.node, 'a');
    const viaC = await connect(node('c').url, session.id, {
      token: OPERATOR,
      role: 'view',
      headers: { 'x-forwarded-for': '203.0.113.22' },
    });
    await viaC.waitForOutput((text) => text.includes('ready'));
    await viaC.close();
    const spawn = await fleetCatchesUp("a's spawn record", () => auditOfA('spawn', session.id));
    assert.equal(spawn.from, '203.0.113.21');
    const attach = await fleetCatchesUp("a's attach record", () => auditOfA('attach', session.id));
    assert.equal(attach.from, '203.0.113.22');
    // An unsigned call on c's internal path, through the proxy: the refusal names the client too.
    const unsigned = await api(node('c').url, 'GET', `/fleet/v1/api/sessions/${session.id}`, {
      headers: { 'x-forwarded-for': '203.0.113.23' },
    });
    assert.equal(unsigned.status, 401);
    const refusal = await fleetCatchesUp("c's refusal record", async () =>
      (await auditFileRecords('c', 'auth-refused')).find(
        (record) => String(record.path).includes('/fleet/v1/') && record.from === '203.0.113.23',
      ),
    );
    assert.equal(refusal.who, null);
    await api(node('a').url, 'DELETE', `/api/sessions/${session.id}`, { token: OPERATOR });
  });

  test('a cookie from A works on B; logout on B closes streams opened with it on A and through C', async () => {
    const login = await api(node('a').url, 'POST', '/api/login', { body: { token: OPERATOR } });
    assert.equal(login.status, 200, login.text);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(cookie, /^shellgate_session=/);
    const onB = await api(node('b').url, 'GET', '/api/whoami', { cookie });
    assert.equal(onB.status, 200, onB.text);
    assert.equal(get(onB.body, 'name'), 'operator');
    const session = await create('a', 'echo up; sleep 60');
    const direct = await connect(node('a').url, session.id, { cookie, origin: node('a').origin });
    const forwarded = await connect(node('c').url, session.id, { cookie, origin: node('c').origin });
    const started = Date.now();
    const logout = await api(node('b').url, 'POST', '/api/logout', { cookie, origin: node('b').origin });
    assert.equal(logout.status, 204, logout.text);
    const closes = await Promise.all([direct.waitForClose(10_000), forwarded.waitForClose(10_000)]);
    assert.deepEqual(
      closes.map((c) => c.code),
      [CloseCode.Unauthorized, CloseCode.Unauthorized],
    );
    assert.ok(Date.now() - started < 10_000);
    const afterwards = await api(node('a').url, 'GET', '/api/whoami', { cookie });
    assert.equal(afterwards.status, 401, 'the login is gone on A too');
    await api(node('a').url, 'DELETE', `/api/sessions/${session.id}`, { token: OPERATOR });
  });

  test('a forged or missing node signature on the internal path is refused and audited', async () => {
    const session = await create('a', 'sleep 60');
    const path = `/fleet/v1/api/sessions/${session.id}`;
    const missing = await api(node('a').url, 'DELETE', path);
    assert.equal(missing.status, 401);
    assert.equal(errorCode(missing), ErrorCode.Unauthorized);
    // A well-formed signature made with the wrong secret.
    const principal = Buffer.from(
      JSON.stringify({ name: 'operator', role: 'operator', scope: 'own' }),
    ).toString('base64url');
    const time = String(Date.now());
    const nonce = randomBytes(16).toString('base64url');
    const canonical = ['shellgate-fleet-v1', 'DELETE', path, 'b', principal, time, nonce]
      .concat(createHash('sha256').update('').digest('hex'))
      .join('\n');
    const forged = await api(node('a').url, 'DELETE', path, {
      headers: {
        'x-shellgate-node': 'b',
        'x-shellgate-principal': principal,
        'x-shellgate-time': time,
        'x-shellgate-nonce': nonce,
        'x-shellgate-signature': createHmac('sha256', 'not the secret').update(canonical).digest('base64url'),
      },
    });
    assert.equal(forged.status, 401);
    const stream = await connectRefused(node('a').url.replace(/$/, '/fleet/v1'), session.id, {});
    assert.equal(stream.status, 401);
    const still = await api(node('a').url, 'GET', `/api/sessions/${session.id}`, { token: OPERATOR });
    assert.equal(get(still.body, 'session', 'state'), 'running', 'nothing was done');
    const audit = await fleetCatchesUp("the refusals are in a's audit file", async () => {
      const refusals = (await auditFileRecords('a', 'auth-refused')).filter((record) =>
        String(record.path).includes('/fleet/v1/'),
      );
      return refusals.length >= 3 ? refusals : undefined;
    });
    assert.ok(audit.some((record) => String(record.reason).includes('bad node signature')));
    assert.ok(audit.some((record) => String(record.reason).includes('missing x-shellgate-node header')));
    await api(node('a').url, 'DELETE', `/api/sessions/${session.id}`, { token: OPERATOR });
  });

  test('PostgreSQL stopped and started: nodes serve their own sessions, spooled audit records all arrive', async () => {
    if (postgres === undefined) throw new Error('no database');
    await postgres.stop();
    const session = await create('a', 'read line; echo "got $line"');
    const client = await connect(node('a').url, session.id, { token: OPERATOR });
    client.sendInput('hello\n');
    await client.nextMessage('exit', 20_000);
    assert.match(client.output().toString(), /got hello/);
    await client.close();
    assert.ok(
      (await listed('a')).some((s) => s.id === session.id),
      'a lists its own session meanwhile',
    );
    await postgres.start();
    const fileEvents = async (): Promise<string[]> =>
      (await readFile(join(auditDir, 'a.jsonl'), 'utf8'))
        .split('\n')
        .filter((line) => line.includes(session.id))
        .map((line) => String((JSON.parse(line) as { event: unknown }).event))
        .sort();
    const database = new pg.Client({ connectionString: postgres.url });
    await database.connect();
    try {
      const expected = await fileEvents();
      assert.ok(expected.includes('spawn') && expected.includes('exit'), expected.join(','));
      const rows = await fleetCatchesUp('the spooled records are in the table', async () => {
        const result = await database.query<{ event: string }>(
          'SELECT event FROM shellgate.audit WHERE session = $1 AND node = $2',
          [session.id, 'a'],
        );
        const events = result.rows.map((row) => row.event).sort();
        return events.length >= expected.length ? events : undefined;
      });
      assert.deepEqual(rows, expected, 'every record once');
      await fleetCatchesUp('the directory caught up', async () =>
        (await listed('b')).some((s) => s.id === session.id && s.state === 'exited') ? true : undefined,
      );
      // Leases may have lapsed while the database was away, and a node counts as lost until its
      // next renewal: the tests after this one start from a fleet whose every node is up.
      for (const name of NAMES) {
        await fleetCatchesUp(`${name} sees every node up`, async () => {
          const response = await api(node(name).url, 'GET', '/api/nodes', { token: OPERATOR });
          const nodes = nodesResponseSchema.parse(response.body).nodes;
          return NAMES.every((other) => nodes.some((n) => n.name === other && n.state === 'up'))
            ? true
            : undefined;
        });
      }
    } finally {
      await database.end();
    }
  });

  test('SIGKILL A: its sessions are lost on B and C within the lease, clients through B get 4010; A rejoins', async () => {
    const session = await create('a', 'echo up; sleep 120');
    const viaB = await connect(node('b').url, session.id, { token: OPERATOR, role: 'view' });
    await viaB.waitForOutput((text) => text.includes('up'));
    const killed = Date.now();
    await killNode('a');
    assert.equal((await viaB.waitForClose(10_000)).code, CloseCode.NodeLost);
    for (const name of ['b', 'c'] as const) {
      await fleetCatchesUp(`${name} reports the session lost`, async () =>
        (await listed(name)).some((s) => s.id === session.id && s.state === 'lost') ? true : undefined,
      );
    }
    const within = Date.now() - killed;
    assert.ok(within < LEASE_SECONDS * 1000 + 10_000, `lost after ${within} ms`);
    const refused = await connectRefused(node('c').url, session.id, { token: OPERATOR });
    assert.equal(refused.status, 503);
    assert.match(refused.body, /NODE_LOST/);
    const action = await api(node('b').url, 'DELETE', `/api/sessions/${session.id}`, { token: OPERATOR });
    assert.equal(errorCode(action), ErrorCode.NodeLost);
    await startNode('a');
    const back = await fleetCatchesUp('a is up again', async () => {
      const response = await api(node('c').url, 'GET', '/api/nodes', { token: OPERATOR });
      const found = nodesResponseSchema.parse(response.body).nodes.find((n) => n.name === 'a');
      return found?.state === 'up' ? found : undefined;
    });
    assert.equal(back.state, 'up');
    assert.ok(!(await listed('c')).some((s) => s.id === session.id), "its previous run's sessions are gone");
    const again = await create('a', 'echo again');
    const viaC = await connect(node('c').url, again.id, { token: OPERATOR });
    await viaC.nextMessage('exit');
    assert.match(viaC.output().toString(), /again/);
  });
});
