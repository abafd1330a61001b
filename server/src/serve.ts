// `shellgate [serve] [--config file.json] [--host HOST] [--port PORT]`: starts the gateway, prints the login
// URL (only when it generated the token; the token rides in the URL fragment, which browsers never
// send to a server) and then exactly `shellgate listening on http://HOST:PORT`. SIGTERM or SIGINT
// shut it down: clients are told, sessions terminated with escalation, then it exits.
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { ConfigError, loadConfig } from './config/load.js';
import { ContainmentError } from './containment/index.js';
import { createGateway } from './gateway.js';
import { createLogger } from './log/logger.js';
import { MetricsListenError } from './metrics/endpoint.js';
import { closeInheritedOnExec } from './process/index.js';

const USAGE = `usage: shellgate [serve] [--config <file.json>] [--host <address>] [--port <port>] [--exit-on-stdin-close]
       shellgate exec|attach|ls|kill|logs|share …   the operator client (shellgate exec --help; docs/client.md)
       shellgate --version

  --config               JSON configuration file (docs/configuration.md)
  --host                 address to bind (default 127.0.0.1)
  --port                 port to listen on (default 8022; 0 picks a free port)
  --exit-on-stdin-close  shut down (as on SIGTERM) when standard input closes: for a supervisor
                         or test harness that pipes it, so the gateway never outlives its parent
`;
/** V8's budget before optimizing a function, in bytes of bytecode run (its default: 67,584). */
const INTERRUPT_BUDGET = 4096;
/** Start-up waits at most this long for the warm-up (warmup/); it takes about two seconds. */
const WARMUP_DEADLINE_MS = 5_000;

function fail(message: string): never {
  process.stderr.write(`shellgate: ${message}\n`);
  process.exit(2);
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) fail(`invalid --port ${JSON.stringify(text)}: expected 0 to 65535`);
  return port;
}

/** Runs the gateway with `args` (what follows `shellgate` or `shellgate serve`). */
export async function serve(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'exit-on-stdin-close': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  let config;
  try {
    config = await loadConfig({ file: values.config, host: values.host, port: parsePort(values.port) });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  // Descriptors inherited from our parent must not reach the sessions' programs.
  const marked = closeInheritedOnExec();
  if (marked instanceof Error) {
    process.stderr.write(
      `shellgate: warning: cannot mark inherited descriptors close-on-exec (${marked.message}); ` +
        'sessions may inherit them, and terminal sessions will not start\n',
    );
  }
  const logger = createLogger(config.log.level);
  let gateway;
  try {
    gateway = createGateway(config, { logger });
  } catch (error) {
    if (!(error instanceof ContainmentError)) throw error;
    fail(`containment: ${error.message} (${error.code})`);
  }
  const warming = new AbortController();
  let warm: Promise<unknown> = Promise.resolve();
  let stopping = false;
  // Shutdown is bounded (each termination stage, then SIGKILL) and must finish whatever arrives
  // meanwhile: a second signal, or the stdin EOF of a supervisor that is itself going away, would
  // otherwise leave behind sessions that ignore SIGTERM.
  const stop = (reason: string): void => {
    if (stopping) {
      process.stderr.write(`shellgate: ${reason} while shutting down; still terminating sessions\n`);
      return;
    }
    stopping = true;
    warming.abort();
    warm
      .then(() => gateway.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`shellgate: shutdown failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (values['exit-on-stdin-close'] === true) {
    process.stdin.on('end', () => stop('stdin closed')).on('error', () => stop('stdin closed'));
    process.stdin.resume();
  }
  // A client reading our stdout may go away; that must not take the gateway down.
  process.stdout.on('error', () => undefined);

  // From here on, V8 optimizes a hot function after a sixteenth of its default budget: the relay
  // path, new after every start, is compiled sooner (docs/operations.md, "Start-up"). Not as a
  // command-line flag: start-up's run-once code would be optimized too, ~0.5 s of compiling on
  // V8's threads and 2-4 MiB more at idle, for nothing.
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);

  if (config.warmup) {
    // Loaded only when asked for: it is off by default, and its client is no part of serving.
    const { warmUp } = await import('./warmup/index.js');
    warm = warmUp(config, { deadlineMs: WARMUP_DEADLINE_MS, signal: warming.signal }).then(
      (report) => logger.info('warmed up', { ...report }),
      (error: unknown) => logger.warn('the warm-up failed: serving cold', { error }),
    );
    await warm;
    if (stopping) return;
  }
  let address;
  try {
    address = await gateway.listen();
  } catch (error) {
    if (error instanceof MetricsListenError) fail(error.message);
    if (error instanceof ContainmentError) fail(`containment: ${error.message} (${error.code})`);
    fail(
      `cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (config.generatedToken !== undefined) {
    process.stdout.write(
      `shellgate login: ${address.url}${config.basePath}/#token=${config.generatedToken}\n`,
    );
  }
  process.stdout.write(`shellgate listening on ${address.url}\n`);
}
