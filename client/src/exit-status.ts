// The remote exit becomes the local one: the code as it is, a death by signal S as 128+S (what a
// shell reports), and anything the client cannot map as a failure (255).
import { constants } from 'node:os';
import { FAILURE_STATUS } from './errors.js';

export interface RemoteExit {
  code: number | null;
  signal: string | null;
}

const SIGNAL_NUMBERS = new Map<string, number>(Object.entries(constants.signals));

export function exitStatus(exit: RemoteExit): number {
  if (exit.code !== null) return exit.code >= 0 && exit.code <= 255 ? exit.code : FAILURE_STATUS;
  const number = exit.signal === null ? undefined : SIGNAL_NUMBERS.get(exit.signal);
  return number === undefined ? FAILURE_STATUS : 128 + number;
}
