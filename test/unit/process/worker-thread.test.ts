// The process core inside a worker_thread that ends while a child runs.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Process } from '../../../server/src/process/index.ts';
import { Cleanup } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

test('a worker terminated with children running does not abort Node, and closes their pipes', async () => {
  const fixture = fileURLToPath(new URL('./fixtures/worker-teardown.ts', import.meta.url));
  const main = cleanup.process(new Process([process.execPath, '--import', 'tsx', fixture]));
  const status = await main.wait();
  assert.equal(
    main.read().toString(),
    'echoed ping\nworker ended with 1\nwritten to: exited\nnever written to: exited\n',
  );
  assert.deepEqual(status, { code: 0, signal: null });
});
