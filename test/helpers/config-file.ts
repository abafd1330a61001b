// A gateway configuration file in a fresh temporary folder, for tests that start the CLI themselves.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes `config` (JSON, or a string as it is), runs `body` with its path, then removes the folder. */
export async function withConfigFile(config: unknown, body: (file: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shellgate-config-'));
  try {
    const file = join(dir, 'config.json');
    await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
    await body(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
