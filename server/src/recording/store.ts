// The gateway's recordings: the directory, a recorder for each recorded session, what a credential
// may list and download, deletion, and retention (at start-up and after each recording closes).
// Ids reach the file system only through isRecordingId's check: a path is never built from
// anything a client sent unless it is 24 base64url characters.
import { chmod, mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, ProtocolError } from '@shellgate/shared';
import type { SessionMode, TerminalSize } from '@shellgate/shared';
import { canSee } from '../auth/principal.js';
import type { Principal } from '../auth/principal.js';
import type { RecordingConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { headerLine } from './asciicast.js';
import type { RecordingMeta } from './asciicast.js';
import { readRecordingMeta } from './header.js';
import { RECORDING_EXTENSION, isRecordingId, newRecordingId, recordingIdOf } from './ids.js';
import { SessionRecorder } from './recorder.js';
import { expiredRecordings } from './retention.js';
import { FileSink } from './sink.js';

/** The recordings directory is the gateway user's only. */
const DIRECTORY_MODE = 0o700;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What the listing shows of a recording. */
export interface RecordingInfo {
  id: string;
  session: string;
  profile: string;
  owner: string;
  startedAt: string;
  /** From the start to the last write (to now, while it is being written). */
  durationMs: number;
  bytes: number;
  /** Still being written. */
  active: boolean;
}

/** The session a recorder is asked for. */
export interface RecordedSession {
  session: string;
  profile: string;
  owner: string;
  mode: SessionMode;
  argv: readonly string[];
  startedAt: Date;
  size: TerminalSize;
  termType: string | undefined;
}

export class RecordingStore {
  /** Every recording known: found at start-up, or started since. */
  readonly #known = new Map<string, RecordingMeta>();
  readonly #active = new Map<string, SessionRecorder>();
  #retention: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: RecordingConfig,
    private readonly logger: Logger,
  ) {}

  /** Creates the directory (0700) and learns what it holds, then applies retention. */
  async open(): Promise<void> {
    const dir = this.config.dir;
    if (dir === undefined) return;
    let names: string[];
    try {
      await mkdir(dir, { recursive: true, mode: DIRECTORY_MODE });
      // mkdir's mode applies only to what it creates; an existing directory is narrowed too.
      await chmod(dir, DIRECTORY_MODE);
      names = await readdir(dir);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`recording.dir ${dir} is not usable: ${reason}`, { cause: error });
    }
    for (const name of names) {
      const id = recordingIdOf(name);
      if (id === undefined) continue;
      const meta = await readRecordingMeta(join(dir, name)).catch(() => undefined);
      if (meta?.recording === id) this.#known.set(id, meta);
    }
    await this.#applyRetention();
  }

  /** A recorder for the session when its profile records (`record`, else `recording.enabled`). */
  recorderFor(session: RecordedSession, record: boolean | undefined): SessionRecorder | null {
    const dir = this.config.dir;
    if (!(record ?? this.config.enabled) || dir === undefined) return null;
    const id = newRecordingId();
    const meta: RecordingMeta = {
      recording: id,
      session: session.session,
      profile: session.profile,
      owner: session.owner,
      mode: session.mode,
      startedAt: session.startedAt.toISOString(),
      input: this.config.input,
    };
    const header = headerLine({ meta, argv: session.argv, size: session.size, termType: session.termType });
    const recorder = new SessionRecorder(new FileSink(this.#path(id)), header, {
      maxBytes: this.config.maxBytesPerRecording,
      maxQueueBytes: this.config.maxQueueBytes,
      input: this.config.input,
      onError: (error) =>
        this.logger.error('recording write failed: recording stopped', { recording: id, error }),
    });
    this.#known.set(id, meta);
    this.#active.set(id, recorder);
    void recorder.closed.then((outcome) => {
      this.#active.delete(id);
      this.logger.info('recording closed', { recording: id, session: session.session, ...outcome });
      return this.#applyRetention();
    });
    return recorder;
  }

  /** Recordings `principal` may see (same rule as sessions), oldest first. */
  async list(principal: Principal): Promise<RecordingInfo[]> {
    const visible = [...this.#known.values()].filter((meta) => canSee(principal, meta));
    const infos = await Promise.all(visible.map((meta) => this.#info(meta)));
    return infos.filter((info) => info !== undefined).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** The recording and its file, or NOT_FOUND — also for one the principal may not see. */
  async find(principal: Principal, id: string): Promise<{ info: RecordingInfo; path: string }> {
    const meta = isRecordingId(id) ? this.#known.get(id) : undefined;
    const info = meta === undefined || !canSee(principal, meta) ? undefined : await this.#info(meta);
    if (info === undefined) throw new ProtocolError(ErrorCode.NotFound, 'no such recording');
    return { info, path: this.#path(info.id) };
  }

  /** Deletes a recording; one still being written stops recording first. */
  async delete(id: string): Promise<void> {
    const recorder = this.#active.get(id);
    if (recorder !== undefined) {
      recorder.abort();
      await recorder.closed;
    }
    this.#known.delete(id);
    await unlink(this.#path(id)).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
  }

  /** Waits for every recording being written to finish writing (shutdown: after the exits). */
  async close(): Promise<void> {
    for (const recorder of this.#active.values()) recorder.close();
    await Promise.all([...this.#active.values()].map((recorder) => recorder.closed));
    await this.#retention;
  }

  async #info(meta: RecordingMeta): Promise<RecordingInfo | undefined> {
    const recorder = this.#active.get(meta.recording);
    const started = Date.parse(meta.startedAt);
    let bytes: number;
    let end: number;
    try {
      const stats = await stat(this.#path(meta.recording));
      bytes = recorder?.bytes ?? stats.size;
      end = recorder === undefined ? stats.mtimeMs : Date.now();
    } catch (error) {
      // Created on the first write: a recorder that has not written yet has no file.
      if (!isMissing(error)) throw error;
      if (recorder === undefined) {
        this.#known.delete(meta.recording);
        return undefined;
      }
      bytes = recorder.bytes;
      end = Date.now();
    }
    return {
      id: meta.recording,
      session: meta.session,
      profile: meta.profile,
      owner: meta.owner,
      startedAt: meta.startedAt,
      durationMs: Math.max(0, Math.round(end - started)),
      bytes,
      active: recorder !== undefined,
    };
  }

  /** Runs one retention pass after any that is running. */
  #applyRetention(): Promise<void> {
    this.#retention = this.#retention
      .then(() => this.#retain())
      .catch((error: unknown) => {
        this.logger.error('recording retention failed', { error });
      });
    return this.#retention;
  }

  async #retain(): Promise<void> {
    const files = [];
    // The directory, not what the store knows: a recording file it could not read counts too.
    const dir = this.config.dir ?? '';
    for (const id of (await readdir(dir)).map(recordingIdOf)) {
      if (id === undefined) continue;
      const stats = await stat(this.#path(id)).catch(() => undefined);
      if (stats === undefined) continue;
      files.push({ id, bytes: stats.size, lastWrite: stats.mtimeMs, active: this.#active.has(id) });
    }
    const maxAgeDays = this.config.maxAgeDays;
    const limits = {
      maxTotalBytes: this.config.maxTotalBytes,
      maxAgeMs: maxAgeDays === undefined ? undefined : maxAgeDays * DAY_MS,
    };
    for (const id of expiredRecordings(files, limits, Date.now())) {
      if (this.#active.has(id)) continue;
      await this.delete(id);
      this.logger.info('recording removed by retention', { recording: id });
    }
  }

  #path(id: string): string {
    if (this.config.dir === undefined || !isRecordingId(id)) throw new Error(`no path for recording ${id}`);
    return join(this.config.dir, `${id}${RECORDING_EXTENSION}`);
  }
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
