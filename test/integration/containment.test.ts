// Containment (docs/security.md): whatever a session starts ends with it — also what left its
// process group or session (setsid, a double-forked daemon, nohup), whether the session is
// deleted, times out idle, or its gateway shuts down or is killed outright.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { SessionInfo } from '@shellgate/shared';
import type { Gateway } from '../helpers/gateway.ts';
import { useGateways } from '../helpers/fixture.ts';
import { api, get } from '../helpers/http.ts';
import { createSession } from '../helpers/sessions.ts';
import { isAlive, liveProcesses, waitUntil } from '../helpers/processes.ts';
import { unifiedPath } from '../../server/src/containment/cgroup-paths.ts';

const gateways = useGateways();
const GRACE_MS = 300;
// Generous for a loaded machine: the escalation takes at most 3 grace periods, the keeper's sweep
// a moment more.
const GONE_WITHIN_MS = 10_000;

/** A `sleep` duration nothing else on the machine runs: its argv finds the test's processes. */
function marker(): string {
  return String(900_000 + randomInt(99_999));
}

/** Live processes whose argv contains `word` as one argument. */
function liveWith(word: string): number[] {
  const live = new Set(liveProcesses().map((info) => info.pid));
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || !live.has(pid)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(word)) found.push(pid);
    } catch {
      // Gone in between.
    }
  }
  return found;
}

/** The ways out of a process group a program can take, each leaving one `sleep <mark>` behind. */
const ESCAPES: Record<string, (mark: string) => string> = {
  setsid: (mark) => `setsid sleep ${mark} &`,
  'a double fork': (mark) => `( ( setsid sleep ${mark} & ) & );`,
  'nohup and setsid': (mark) => `nohup setsid sleep ${mark} >/dev/null 2>&1 &`,
};

async function startEscaping(
  gateway: Gateway,
  profile: 'sh' | 'pty-sh',
  escape: (mark: string) => string,
): Promise<{ session: SessionInfo; mark: string }> {
  const mark = marker();
  const session = await createSession(gateway, profile, [`${escape(mark)} exec sleep 600`]);
  await waitUntil(`sleep ${mark} runs`, () => liveWith(mark).length === 1, GONE_WITHIN_MS);
  return { session, mark };
}

async function assertGone(mark: string, what: string): Promise<void> {
  await waitUntil(`${what}: sleep ${mark} is gone`, () => liveWith(mark).length === 0, GONE_WITHIN_MS);
}

describe('containment', () => {
  test('the gateway reports the containment in force: the keeper by default', async () => {
    const gateway = await gateways.start();
    const health = await api(gateway.url, 'GET', '/healthz');
    assert.equal(get(health.body, 'containment', 'keeper'), true);
    assert.ok(['v2', 'off'].includes(String(get(health.body, 'containment', 'cgroup'))));
    const listening = gateway.stderr
      .map((line) => JSON.parse(line) as unknown)
      .find((entry) => get(entry, 'msg') === 'listening');
    assert.deepEqual(get(listening, 'containment'), get(health.body, 'containment'));
  });

  for (const [name, escape] of Object.entries(ESCAPES)) {
    test(`a process that left the group by ${name} ends on DELETE, for pipe and PTY sessions`, async () => {
      const gateway = await gateways.start({ config: { limits: { terminateGracePeriodMs: GRACE_MS } } });
      for (const profile of ['sh', 'pty-sh'] as const) {
        const { session, mark } = await startEscaping(gateway, profile, escape);
        const deleted = await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, {
          token: gateway.operatorToken,
        });
        assert.equal(deleted.status, 200, deleted.text);
        await assertGone(mark, `${profile} session deleted`);
        assert.equal(session.pid !== null && isAlive(session.pid), false, 'the keeper is gone too');
      }
    });
  }

  test('escaped processes end when the session times out idle', async () => {
    const gateway = await gateways.start({
      config: { limits: { idleTimeoutMs: 300, terminateGracePeriodMs: GRACE_MS } },
    });
    const marks: string[] = [];
    for (const escape of Object.values(ESCAPES))
      marks.push((await startEscaping(gateway, 'sh', escape)).mark);
    for (const mark of marks) await assertGone(mark, 'idle timeout');
  });

  test('escaped processes end when the gateway shuts down', async () => {
    const gateway = await gateways.start({ config: { limits: { terminateGracePeriodMs: GRACE_MS } } });
    const marks: string[] = [];
    for (const escape of Object.values(ESCAPES)) {
      marks.push((await startEscaping(gateway, 'sh', escape)).mark);
      marks.push((await startEscaping(gateway, 'pty-sh', escape)).mark);
    }
    await gateway.stop();
    for (const mark of marks) await assertGone(mark, 'gateway shut down');
  });

  test('a gateway killed with SIGKILL leaves no process of its ten sessions alive', async () => {
    const gateway = await gateways.start();
    const marks: string[] = [];
    const keepers: number[] = [];
    for (let index = 0; index < 10; index += 1) {
      const profile = index % 2 === 0 ? 'sh' : 'pty-sh';
      const mark = marker();
      marks.push(mark);
      // Half leave their group with setsid; all keep a job in it and their main program running.
      const escape = index < 5 ? `setsid sleep ${mark} &` : `sleep ${mark} &`;
      const session = await createSession(gateway, profile, [`${escape} exec sleep 600`]);
      if (session.pid !== null) keepers.push(session.pid);
      await waitUntil(`session ${index} runs its sleep`, () => liveWith(mark).length === 1, GONE_WITHIN_MS);
    }
    process.kill(gateway.pid, 'SIGKILL');
    for (const mark of marks) await assertGone(mark, 'gateway killed');
    await waitUntil('every keeper is gone', () => keepers.every((pid) => !isAlive(pid)), GONE_WITHIN_MS);
    await waitUntil(
      'no session program is left',
      () => liveProcesses().every((info) => !keepers.includes(info.session)),
      GONE_WITHIN_MS,
    );
  });

  test('a burst of escaping processes is killed to the last one', async () => {
    const gateway = await gateways.start({ config: { limits: { terminateGracePeriodMs: GRACE_MS } } });
    const mark = marker();
    // Bounded, so the machine's other work is not starved: 200 processes, each in its own session.
    const session = await createSession(gateway, 'sh', [
      `i=0; while [ $i -lt 200 ]; do setsid sleep ${mark} & i=$((i+1)); done; exec sleep 600`,
    ]);
    await waitUntil('all 200 run', () => liveWith(mark).length === 200, GONE_WITHIN_MS);
    const deleted = await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, {
      token: gateway.operatorToken,
    });
    assert.equal(deleted.status, 200);
    await assertGone(mark, 'burst deleted');
  });

  test('the program and what escapes it are in the session cgroup; the keeper stays in the gateway one', async () => {
    const gateway = await gateways.start({ config: { limits: { terminateGracePeriodMs: GRACE_MS } } });
    const health = await api(gateway.url, 'GET', '/healthz');
    const { session, mark } = await startEscaping(gateway, 'sh', (m) => `setsid sleep ${m} &`);
    const cgroupOf = (pid: number): string | null => unifiedPath(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
    const [escaped = 0] = liveWith(mark);
    const keeper = session.pid ?? 0;
    if (get(health.body, 'containment', 'cgroup') === 'v2') {
      // Born there by clone3 (CLONE_INTO_CGROUP): the keeper never moves, the program never leaves.
      assert.match(cgroupOf(escaped) ?? '', /\/shellgate-\d+-[0-9a-f]+\/session-\d+$/);
      assert.equal(cgroupOf(keeper), cgroupOf(gateway.pid));
    } else {
      assert.equal(cgroupOf(escaped), cgroupOf(gateway.pid), 'no cgroup per session is claimed');
    }
    await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
    await assertGone(mark, 'deleted');
  });

  test('a fork bomb is held at pids.max where a pids controller is writable, and ends on DELETE', async () => {
    const pidsMax = 48;
    const gateway = await gateways.start({
      config: { containment: { pidsMax }, limits: { terminateGracePeriodMs: GRACE_MS } },
    });
    const health = await api(gateway.url, 'GET', '/healthz');
    const inForce = get(health.body, 'containment', 'pidsMax');
    const mark = marker();
    // Each copy starts two more and waits; with no limit it would only stop at the machine's.
    // Without a pids controller (docs/security.md) the bomb is bounded by its own count instead.
    // The session's own shell forks once, then becomes a sleep: a shell whose fork fails at the
    // limit exits (dash: status 2), and had it been the session's, the keeper would have ended all.
    const bomb =
      inForce === pidsMax
        ? `b() { sleep ${mark} & b & b & wait; }; b & exec sleep 600`
        : `i=0; while [ $i -lt 100 ]; do setsid sleep ${mark} & i=$((i+1)); done; exec sleep 600`;
    const session = await createSession(gateway, 'sh', [bomb]);
    await waitUntil('the bomb has spread', () => liveWith(mark).length >= 10, GONE_WITHIN_MS);
    if (inForce === pidsMax) {
      // Give it time to hit the ceiling, then count everything of the session: the keeper is in a v1
      // pids cgroup with the program, but outside a v2 one (the program is born into it).
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const members = liveProcesses().filter((info) => info.session === session.pid);
      assert.ok(
        members.length <= pidsMax + 1,
        `${members.length} processes in the session, limit ${pidsMax}`,
      );
    } else {
      assert.equal(inForce, null, 'no pids limit is claimed where none could be set');
    }
    const deleted = await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, {
      token: gateway.operatorToken,
    });
    assert.equal(deleted.status, 200);
    await assertGone(mark, 'fork bomb deleted');
  });

  test('without the keeper a setsid process survives DELETE: the gap the keeper closes', async () => {
    const gateway = await gateways.start({
      config: { containment: { keeper: false, cgroup: 'off' }, limits: { terminateGracePeriodMs: GRACE_MS } },
    });
    const health = await api(gateway.url, 'GET', '/healthz');
    assert.deepEqual(get(health.body, 'containment'), {
      keeper: false,
      cgroup: 'off',
      pidsMax: null,
      memoryMaxBytes: null,
    });
    const { session, mark } = await startEscaping(gateway, 'sh', (m) => `setsid sleep ${m} &`);
    try {
      await api(gateway.url, 'DELETE', `/api/sessions/${session.id}`, { token: gateway.operatorToken });
      assert.equal(liveWith(mark).length, 1, 'it survived: only the group was contained');
    } finally {
      for (const pid of liveWith(mark)) process.kill(pid, 'SIGKILL');
    }
  });
});
