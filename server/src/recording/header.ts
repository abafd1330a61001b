// Reading a recording's header back: what the listing shows of files found at start-up.
import { open } from 'node:fs/promises';
import { MODES } from '@shellgate/shared';
import { z } from 'zod';
import { HEADER_KEY } from './asciicast.js';
import type { RecordingMeta } from './asciicast.js';

/** A header longer than this is not one of ours. */
const MAX_HEADER_BYTES = 64 * 1024;

const metaSchema = z.object({
  recording: z.string(),
  session: z.string(),
  profile: z.string(),
  owner: z.string(),
  mode: z.enum(MODES),
  startedAt: z.iso.datetime(),
  input: z.boolean(),
});

const headerSchema = z.object({ version: z.literal(3), [HEADER_KEY]: metaSchema });

/** The shellgate metadata of the recording at `path`, or undefined if it has none we can read. */
export async function readRecordingMeta(path: string): Promise<RecordingMeta | undefined> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_HEADER_BYTES, 0);
    const end = buffer.subarray(0, bytesRead).indexOf(0x0a);
    if (end < 0) return undefined;
    const parsed = headerSchema.safeParse(jsonOrUndefined(buffer.subarray(0, end).toString('utf8')));
    return parsed.success ? parsed.data[HEADER_KEY] : undefined;
  } finally {
    await handle.close();
  }
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
