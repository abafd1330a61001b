// Recording ids name files, so an id is checked before it comes anywhere near a path.
import { randomBytes } from 'node:crypto';

/** 144 random bits, base64url: 24 characters, unguessable, safe in a URL and a file name. */
export function newRecordingId(): string {
  return randomBytes(18).toString('base64url');
}

const RECORDING_ID = /^[A-Za-z0-9_-]{24}$/;

export function isRecordingId(value: string): boolean {
  return RECORDING_ID.test(value);
}

/** Every recording's file name: the id and asciinema's extension. */
export const RECORDING_EXTENSION = '.cast';

/** The id a file name stands for, or undefined when it is not a recording's. */
export function recordingIdOf(fileName: string): string | undefined {
  if (!fileName.endsWith(RECORDING_EXTENSION)) return undefined;
  const id = fileName.slice(0, -RECORDING_EXTENSION.length);
  return isRecordingId(id) ? id : undefined;
}
