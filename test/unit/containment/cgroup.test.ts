// Finding the gateway's cgroup v2 directory, and the configuration's containment rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownCgroupDir, unifiedMount, unifiedPath } from '../../../server/src/containment/cgroup-paths.ts';
import { configSchema } from '../../../server/src/config/schema.ts';

const MOUNTINFO = [
  '25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw',
  '36 25 0:31 /init.scope /sys/fs/cgroup\\040v2 rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate',
  '37 25 0:32 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids',
].join('\n');

test('the cgroup2 mount is found by its type, with its escaped path decoded', () => {
  assert.deepEqual(unifiedMount(MOUNTINFO), { mountPoint: '/sys/fs/cgroup v2', root: '/init.scope' });
  assert.equal(unifiedMount('37 25 0:32 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids'), null);
});

test('the cgroup v2 path is the 0:: line of /proc/self/cgroup', () => {
  assert.equal(unifiedPath('4:memory:/x\n0::/user.slice/gateway.service\n'), '/user.slice/gateway.service');
  assert.equal(unifiedPath('4:memory:/x\n'), null);
});

test('this process has a cgroup v2 directory on this host, or none is mounted', () => {
  const dir = ownCgroupDir();
  assert.ok(dir === null || dir.startsWith('/'), String(dir));
});

test('containment defaults to the keeper and a cgroup when one can be had', () => {
  const parsed = configSchema.parse({});
  assert.deepEqual(parsed.containment, { keeper: true, cgroup: 'auto' });
});

test('a cgroup or a limit without what provides it is refused with the field named', () => {
  const withoutKeeper = configSchema.safeParse({ containment: { keeper: false } });
  assert.equal(withoutKeeper.success, false);
  assert.deepEqual(withoutKeeper.error?.issues[0]?.path, ['containment', 'cgroup']);
  const limitWithoutCgroup = configSchema.safeParse({ containment: { cgroup: 'off', pidsMax: 100 } });
  assert.equal(limitWithoutCgroup.success, false);
  assert.deepEqual(limitWithoutCgroup.error?.issues[0]?.path, ['containment', 'pidsMax']);
  assert.equal(configSchema.safeParse({ containment: { keeper: false, cgroup: 'off' } }).success, true);
  assert.equal(configSchema.safeParse({ containment: { cgroupParent: 'relative' } }).success, false);
});
