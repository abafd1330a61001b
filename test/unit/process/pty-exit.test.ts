import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PtyProcess } from '../../../server/src/process/index.ts';
import { Cleanup, isAlive, liveProcesses, waitUntil } from '../../helpers/processes.ts';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

// `seq` prints an exactly predictable text. With `-opost` the terminal leaves its LFs alone and with
// `-echo` nothing typed comes back, so the bytes received must equal the text to the byte.
const RAW = 'stty -opost -echo';

function seqText(from: number, to: number): string {
  let text = '';
  for (let i = from; i <= to; i += 1) text += `${i}\n`;
  return text;
}

const LINES = 420_000; // about 3 MiB
const EXPECTED = seqText(1, LINES);

/** Everything the program sent, as it arrives; with `collect: false`, as the server uses it. */
function received(pty: PtyProcess): { text: () => string; bytes: () => number } {
  const chunks: Buffer[] = [];
  let bytes = 0;
  pty.onOutput(({ data }) => {
    chunks.push(data);
    bytes += data.length;
  });
  return { text: () => Buffer.concat(chunks).toString('latin1'), bytes: () => bytes };
}

test('a program that writes megabytes to the terminal and exits at once has every byte delivered', async () => {
  // Another busy core, as when the suite runs files in parallel on a loaded machine.
  const hog = cleanup.process(await PtyProcess.spawn(['sh', '-c', 'while :; do :; done']));
  for (let run = 0; run < 5; run += 1) {
    const pty = cleanup.process(
      new PtyProcess(['sh', '-c', `${RAW}; exec seq 1 ${LINES}`], { collect: false }),
    );
    const output = received(pty);
    assert.deepEqual(await pty.wait(), { code: 0, signal: null });
    assert.equal(output.bytes(), EXPECTED.length, `run ${run}: byte count`);
    assert.ok(output.text() === EXPECTED, `run ${run}: the bytes are exactly what seq printed`);
  }
  await hog.terminate({ gracePeriodMs: 0 });
});

test('output held back by pauseOutput across the exit is delivered once resumed', async () => {
  // The program prints ~3 MiB, waits for a key, prints ~3.5 KiB (which fits in the terminal's
  // buffer, so it can exit while nobody reads) and exits.
  const tail = seqText(LINES + 1, LINES + 500);
  const pty = cleanup.process(
    new PtyProcess(['sh', '-c', `${RAW}; seq 1 ${LINES}; read x; exec seq ${LINES + 1} ${LINES + 500}`], {
      collect: false,
    }),
  );
  const output = received(pty);
  await waitUntil('the first part arrived', () => output.bytes() === EXPECTED.length, 20_000);
  pty.pauseOutput();
  pty.write('\r');
  await waitUntil('the program exited while paused', () => pty.poll() !== null);
  await sleep(1000); // far beyond node-pty's own 200 ms
  assert.equal(output.bytes(), EXPECTED.length, 'nothing was delivered while paused');
  pty.resumeOutput();
  assert.deepEqual(await pty.wait(), { code: 0, signal: null });
  assert.equal(output.bytes(), EXPECTED.length + tail.length);
  assert.ok(output.text() === EXPECTED + tail, 'the bytes are exactly what seq printed');
});

test('the exit is reported at once, before output still unread has been drained', async () => {
  const pty = cleanup.process(new PtyProcess(['sh', '-c', `${RAW}; exec seq 1 1000`], { collect: false }));
  const output = received(pty);
  pty.pauseOutput();
  await waitUntil('the exit is known', () => pty.poll() !== null);
  let waited = false;
  void pty.wait().then(() => (waited = true));
  await sleep(300);
  assert.equal(waited, false, 'wait() waits for the output held back');
  pty.resumeOutput();
  await pty.wait();
  assert.equal(output.text(), seqText(1, 1000));
});

/** A shell that starts a background job ignoring the hang-up, prints its pid and exits. */
function leaveJob(options: { killGroupOnExit?: boolean }): { pty: PtyProcess; job: () => number } {
  const pty = cleanup.process(new PtyProcess(['sh', '-c', 'trap "" HUP; sleep 1000 & echo job $!'], options));
  let text = '';
  pty.onOutput(({ data }) => (text += data.toString()));
  return { pty, job: () => Number(/job (\d+)/.exec(text)?.[1]) };
}

test('killGroupOnExit kills what the program left in its terminal session when it exits by itself', async () => {
  const { pty, job } = leaveJob({ killGroupOnExit: true });
  const status = await pty.wait();
  cleanup.pid(job());
  assert.deepEqual(status, { code: 0, signal: null });
  await waitUntil('the job is gone', () => !isAlive(job()), 10_000);
  assert.ok(!liveProcesses().some((info) => info.comm === 'sleep' && info.pgrp === pty.pid));
});

test('without killGroupOnExit a background job outlives the program and wait() still resolves', async () => {
  const { pty, job } = leaveJob({});
  // The job holds the terminal open: wait() gives up after the drain's quiet period.
  assert.deepEqual(await pty.wait(), { code: 0, signal: null });
  cleanup.pid(job());
  assert.ok(isAlive(job()), 'the job still runs');
});
