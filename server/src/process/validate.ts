import { ProcessError } from './errors.js';
import { DEFAULT_READ_BYTES, MAX_READ_BYTES, MIN_READ_BYTES } from './lent-pipe.js';

// Options are checked at the edge, with messages that name the option and the value received.

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

export function validateDuration(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new ProcessError(
      'EINVAL',
      `${name} must be a non-negative finite number of milliseconds, received ${describeValue(value)}`,
    );
  }
  return value;
}

export function validateHighWaterMark(value: unknown): number {
  if (value === undefined) return Infinity;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new ProcessError(
      'EINVAL',
      `highWaterMark must be a positive number of bytes, received ${describeValue(value)}`,
    );
  }
  return value;
}

export function validateReadBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_READ_BYTES;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < MIN_READ_BYTES ||
    value > MAX_READ_BYTES
  ) {
    throw new ProcessError(
      'EINVAL',
      `readBytes must be a whole number of bytes from ${MIN_READ_BYTES} to ${MAX_READ_BYTES}, received ${describeValue(value)}`,
    );
  }
  return value;
}

export function validateFlag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new ProcessError('EINVAL', `${name} must be a boolean, received ${describeValue(value)}`);
  }
  return value;
}
