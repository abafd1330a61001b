import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Process } from '../../../server/src/process/index.ts';
import { Cleanup } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const fixture = fileURLToPath(new URL('../../fixtures/exits-promptly.ts', import.meta.url));

test('no timer of the core keeps the event loop alive after the last process is gone', async () => {
  const p = cleanup.process(new Process([process.execPath, '--import', 'tsx', fixture]));
  let doneAt = 0;
  p.onOutput((chunk) => {
    if (chunk.stream === 'stdout' && chunk.data.includes('done')) doneAt = Date.now();
  });
  const status = await p.wait();
  const lingered = Date.now() - doneAt;
  assert.deepEqual(status, { code: 0, signal: null }, p.readErr().toString());
  assert.ok(doneAt > 0, 'the fixture got to the end');
  // The fixture's timers were of 60 s; an exit within a couple of seconds means none was left.
  assert.ok(lingered < 3000, `the fixture lingered ${lingered} ms after its work was done`);
});
