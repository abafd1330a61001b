// Where a recorder's lines go. The recorder only ever has one write in flight and never waits for
// one on the relay's path; a sink is the seam between the two: the file in production, the same
// file behind a gate in the slow-disk test.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

export interface RecordingSink {
  /** Appends whole lines; resolves once the kernel has them (the bytes may be reused after). */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the file; no write follows. */
  close(): Promise<void>;
}

/** Recordings are readable by the gateway's user only. */
export const RECORDING_FILE_MODE = 0o600;

/**
 * A new file, created exclusively (an id never names an existing file) and opened on the first
 * write, so that creating a recorder costs the session's start nothing.
 */
export class FileSink implements RecordingSink {
  #handle: Promise<FileHandle> | undefined;

  constructor(readonly path: string) {}

  async write(bytes: Uint8Array): Promise<void> {
    this.#handle ??= open(this.path, 'ax', RECORDING_FILE_MODE);
    const handle = await this.#handle;
    // A bare write may write part of it: loop until every byte is in.
    let offset = 0;
    while (offset < bytes.byteLength) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
      offset += bytesWritten;
    }
  }

  async close(): Promise<void> {
    if (this.#handle === undefined) return;
    const handle = await this.#handle;
    await handle.close();
  }
}
