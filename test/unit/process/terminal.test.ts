// A terminal session's process groups, found from a scope (the keeper's tree, the session's cgroup)
// exactly as from the whole process table, which a hang-up read before at every session's cost.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Containment } from '../../../server/src/containment/index.ts';
import { createLogger } from '../../../server/src/log/logger.ts';
import { PtyProcess } from '../../../server/src/process/index.ts';
import { cgroupMembers, descendantsOf } from '../../../server/src/process/proc.ts';
import { sessionGroups } from '../../../server/src/process/terminal.ts';
import { Cleanup, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const PROMPT = 'PROMPT$ ';
const sorted = (groups: number[] | null): number[] => [...(groups ?? [])].sort((a, b) => a - b);

test('a session scope finds the groups of a shell, its job and its keeper, as the whole table does', async () => {
  const containment = Containment.create({ keeper: true, cgroup: 'auto' }, createLogger('silent'));
  await containment.open();
  const cell = await containment.enter();
  try {
    const pty = cleanup.process(
      new PtyProcess(['bash', '--norc', '--noprofile', '-i'], {
        keeper: true,
        cgroup: cell.cgroup,
        env: { ...process.env, PS1: PROMPT },
      }),
    );
    let seen = '';
    const shows = (pattern: RegExp): boolean => pattern.test((seen += pty.read().toString()));
    await waitUntil('the prompt', () => shows(/PROMPT\$ /), 10_000);
    // Job control puts the background job in a process group of its own.
    pty.write('sleep 1000 & echo job $!\r');
    await waitUntil('the job', () => shows(/job \d+/), 10_000);
    const job = Number(/job (\d+)/.exec(seen)?.[1]);
    cleanup.pid(job);

    const everywhere = sorted(sessionGroups(pty.pid));
    // The keeper's group (it leads the session), the shell's own and the job's.
    assert.equal(everywhere.length, 3, `groups: ${everywhere.join(', ')}`);
    assert.ok(everywhere.includes(pty.pid) && everywhere.includes(job));
    assert.deepEqual(sorted(sessionGroups(pty.pid, { cgroups: [], keeper: true })), everywhere);
    assert.deepEqual(sorted(sessionGroups(pty.pid, { cgroups: cell.cgroup, keeper: true })), everywhere);
    const [dir] = cell.cgroup;
    if (dir !== undefined) assert.ok(cgroupMembers(dir)?.includes(job), 'the job is in the session cgroup');
    assert.ok(descendantsOf(pty.pid)?.includes(job), 'the job descends from the keeper');
    await pty.terminate({ gracePeriodMs: 200 });
  } finally {
    await cell.release();
    await containment.close();
  }
});

test('the narrow readers answer null for what they cannot read, and the scope falls back to the table', async () => {
  const pty = cleanup.process(new PtyProcess(['true']));
  await pty.wait();
  assert.equal(descendantsOf(pty.pid), null);
  assert.equal(cgroupMembers('/no/such/cgroup'), null);
  // Neither source can be read: the whole table is, and the gone session has no group left.
  assert.deepEqual(sessionGroups(pty.pid, { cgroups: ['/no/such/cgroup'], keeper: true }), []);
});
