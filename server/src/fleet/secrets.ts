// The fleet's two secrets, read when fleet mode starts: the database connection string (it may hold
// a password) and the node secret. Errors name the field and the file or variable, never the value.
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/load.js';
import type { FleetConfig } from './config.js';

/** A shorter node secret is too easy to guess for something that signs as any user. */
const MIN_SECRET_LENGTH = 32;

async function fromFile(field: string, file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n')[0]?.trim() ?? '';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`invalid configuration: fleet.${field}: cannot read ${file}: ${reason}`);
  }
}

function fromEnv(field: string, name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new ConfigError(`invalid configuration: fleet.${field}: environment variable ${name} is not set`);
  return value.trim();
}

export async function readFleetSecrets(fleet: FleetConfig): Promise<{ database: string; secret: string }> {
  let database: string;
  if (fleet.database !== undefined) database = fleet.database;
  else if (fleet.databaseFile !== undefined) database = await fromFile('databaseFile', fleet.databaseFile);
  else database = fromEnv('databaseEnv', fleet.databaseEnv ?? '');
  if (database === '')
    throw new ConfigError('invalid configuration: fleet.database: empty connection string');

  const secret =
    fleet.secretFile !== undefined
      ? await fromFile('secretFile', fleet.secretFile)
      : fromEnv('secretEnv', fleet.secretEnv ?? '');
  if (secret.length < MIN_SECRET_LENGTH) {
    const where = fleet.secretFile !== undefined ? 'secretFile' : 'secretEnv';
    throw new ConfigError(
      `invalid configuration: fleet.${where}: the node secret must be at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return { database, secret };
}
