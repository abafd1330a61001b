// Recordings over HTTP (docs/recording.md): the list's shape, as clients read it.
import { z } from 'zod';

export const recordingInfoSchema = z.object({
  id: z.string(),
  session: z.string(),
  profile: z.string(),
  /** The token name that started the session. */
  owner: z.string(),
  /** ISO 8601. */
  startedAt: z.string(),
  /** From the start to the file's last write (to now while it is written). */
  durationMs: z.number(),
  bytes: z.number().int(),
  /** Still being written. */
  active: z.boolean(),
});
export type RecordingInfo = z.infer<typeof recordingInfoSchema>;

export const recordingsResponseSchema = z.object({ recordings: z.array(recordingInfoSchema) });
