// What the server-side screen costs a quiet terminal session in gateway memory: the same terminal
// sessions (a `cat` waiting after a few bytes of output, no client) opened on a gateway whose PTY
// profile tracks the screen and on one whose profile does not, alternating, each gateway fresh.
// A headless xterm.js terminal costs ~250 KiB before it parses a byte, and the worker makes one
// only when a session's screen is read, resized after output, or past 32 KiB of output
// (server/src/screen/unopened.ts): until then a quiet session should cost about what it costs
// without a screen. Before each count, one session prints more than that, so the worker and its
// xterm.js are loaded and the count is of what each further session adds.
// Usage: npm run bench -- screen
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway } from '../helpers/gateway.ts';
import { residentBytes, waitForGroupsGone } from '../helpers/leaks.ts';
import { createSession } from '../helpers/sessions.ts';
import { median } from './stats.ts';
import { report, setExitStatus } from './report.ts';

const SESSIONS = 300;
const PARALLEL = 25;
const ROUNDS = 3;
const KiB = 1024;
/** Before the screen was made lazily: ~7× (about 250 against 36 KiB a session). */
const TARGET_RATIO = 1.5;
const QUIET = 'printf ready; exec cat';
const LOUD = 'head -c 40000 /dev/zero | tr "\\0" x; exec cat';

/** KiB of gateway RSS each quiet PTY session adds, with or without the screen. */
async function perSession(screen: boolean): Promise<number> {
  const gateway = await startGateway({
    config: {
      profiles: { tty: { argv: ['sh', '-c'], mode: 'pty', allowArgs: true, screen } },
      limits: { maxSessions: SESSIONS + 10, maxSessionsPerToken: SESSIONS + 10 },
    },
  });
  const pids: number[] = [];
  let perSessionKiB: number;
  try {
    pids.push((await createSession(gateway, 'tty', [LOUD])).pid ?? 0);
    await sleep(1_000);
    const before = residentBytes(gateway.pid);
    for (let opened = 0; opened < SESSIONS; opened += PARALLEL) {
      const batch = await Promise.all(
        Array.from({ length: PARALLEL }, () => createSession(gateway, 'tty', [QUIET])),
      );
      pids.push(...batch.map((session) => session.pid ?? 0));
    }
    await sleep(1_000);
    perSessionKiB = (residentBytes(gateway.pid) - before) / SESSIONS / KiB;
  } finally {
    await gateway.stop();
  }
  const left = await waitForGroupsGone(pids, 10_000);
  if (left.length > 0) throw new Error(`${left.length} session processes outlived the gateway`);
  return perSessionKiB;
}

const withScreen: number[] = [];
const without: number[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  withScreen.push(await perSession(true));
  without.push(await perSession(false));
}
const ratio = median(withScreen) / median(without);
report(
  `${SESSIONS} quiet PTY sessions: ${median(withScreen).toFixed(1)} KiB each with the screen, ` +
    `${median(without).toFixed(1)} without (${withScreen.map((v) => v.toFixed(1)).join(', ')} / ` +
    `${without.map((v) => v.toFixed(1)).join(', ')}): ${ratio.toFixed(2)}× (target ≤ ${TARGET_RATIO}×)`,
  ratio <= TARGET_RATIO,
);
setExitStatus();
