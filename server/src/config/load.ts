// Reads and validates the configuration: file, then command-line overrides, then the defaults that
// depend on the machine (profiles, a generated token). A bad field stops start-up with its name.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { describeIssues } from '@shellgate/shared';
import { configSchema } from './schema.js';
import type { ParsedConfig, ProfileConfig } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/** A configuration ready to serve with: validated, defaults applied, files read. */
export interface GatewayConfig extends Omit<ParsedConfig, 'profiles' | 'tls'> {
  profiles: Record<string, ProfileConfig>;
  tls: TlsMaterial | undefined;
  /** Set when no token was configured: a fresh operator token, printed once at start-up. */
  generatedToken: string | undefined;
}

export interface LoadOptions {
  /** Path of a JSON configuration file. */
  file?: string;
  host?: string;
  port?: number;
}

/** The user's login shell: from the password database, else $SHELL, else /bin/sh. */
function loginShell(): string {
  try {
    const shell = userInfo().shell;
    if (shell !== null && shell !== '') return shell;
  } catch {
    // No password entry for this uid (some containers): fall through.
  }
  return process.env.SHELL ?? '/bin/sh';
}

/** The profiles a gateway offers when the configuration names none. */
function defaultProfiles(): Record<string, ProfileConfig> {
  const shell = loginShell();
  return {
    bc: {
      argv: ['bc', '-q'],
      mode: 'pipe',
      allowArgs: false,
      screen: false,
      description: 'bc, the calculator',
    },
    shell: {
      argv: [shell, '-l'],
      mode: 'pty',
      allowArgs: false,
      screen: true,
      description: `your login shell (${shell}) on a terminal`,
      env: { TERM: 'xterm-256color', COLORTERM: 'truecolor' },
    },
  };
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`cannot read configuration file ${file}: ${reason}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`invalid configuration: ${file} is not valid JSON: ${reason}`);
  }
}

async function readTls(tls: { cert: string; key: string }): Promise<TlsMaterial> {
  const read = async (field: 'cert' | 'key'): Promise<Buffer> => {
    try {
      return await readFile(tls[field]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigError(`invalid configuration: tls.${field}: cannot read ${tls[field]}: ${reason}`);
    }
  };
  return { cert: await read('cert'), key: await read('key') };
}

/** Validates an already-parsed configuration object (file contents or a test's object). */
export async function resolveConfig(
  input: unknown,
  overrides: Omit<LoadOptions, 'file'> = {},
): Promise<GatewayConfig> {
  const raw = input ?? {};
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`invalid configuration: ${describeIssues(result.error)}`);
  const parsed = result.data;
  const host = overrides.host ?? parsed.host;
  const port = overrides.port ?? parsed.port;
  let generatedToken: string | undefined;
  let tokens = parsed.tokens;
  if (tokens.length === 0) {
    generatedToken = randomBytes(32).toString('base64url');
    tokens = [{ name: 'operator', token: generatedToken, role: 'operator' }];
  }
  return {
    ...parsed,
    host,
    port,
    tokens,
    profiles: parsed.profiles ?? defaultProfiles(),
    tls: parsed.tls === undefined ? undefined : await readTls(parsed.tls),
    // Absolute once, so that the recordings' paths do not depend on a later working directory.
    recording: {
      ...parsed.recording,
      dir: parsed.recording.dir === undefined ? undefined : resolve(parsed.recording.dir),
    },
    generatedToken,
  };
}

/** Loads the configuration from `options.file` (if any) with command-line overrides. */
export async function loadConfig(options: LoadOptions = {}): Promise<GatewayConfig> {
  const input = options.file === undefined ? {} : await readJson(options.file);
  return resolveConfig(input, { host: options.host, port: options.port });
}
