// The asciicast v3 format (https://docs.asciinema.org/manual/asciicast/v3/): a header object on the
// first line, then one `[interval, code, data]` event per line, the interval in seconds since the
// previous event. Players read line by line and ignore codes they do not know, which is why
// stderr can have a code of its own and why a line cut short by a crash costs only that line.
import { constants } from 'node:os';
import type { ExitStatus, SessionMode, TerminalSize } from '@shellgate/shared';

/** Event codes: v3's own, plus `e` (a pipe session's stderr), which shellgate adds. */
export const EventCode = {
  Output: 'o',
  /** shellgate's: a pipe session's stderr, kept apart from stdout. Players ignore it. */
  Stderr: 'e',
  Input: 'i',
  Resize: 'r',
  Marker: 'm',
  Exit: 'x',
} as const;
export type EventCode = (typeof EventCode)[keyof typeof EventCode];

/** The extra header key shellgate's metadata lives under (players ignore unknown keys). */
export const HEADER_KEY = 'shellgate';

/** What the header says about the session; the same fields come back when a file is listed. */
export interface RecordingMeta {
  /** The recording's own id (not the session's: recordings outlive sessions). */
  recording: string;
  session: string;
  profile: string;
  owner: string;
  mode: SessionMode;
  /** ISO 8601 with milliseconds: `timestamp` has whole seconds only. */
  startedAt: string;
  /** Whether stdin (`i` events) is recorded. */
  input: boolean;
}

export interface HeaderSpec {
  meta: RecordingMeta;
  argv: readonly string[];
  /** The terminal's size at the start (pipe sessions: the default 80×24). */
  size: TerminalSize;
  /** `TERM` of a PTY session. */
  termType: string | undefined;
}

/** The header line, newline included. */
export function headerLine(spec: HeaderSpec): string {
  const term: Record<string, unknown> = { cols: spec.size.cols, rows: spec.size.rows };
  if (spec.termType !== undefined) term.type = spec.termType;
  const header = {
    version: 3,
    term,
    timestamp: Math.floor(Date.parse(spec.meta.startedAt) / 1000),
    command: spec.argv.map(shellQuote).join(' '),
    title: `${spec.meta.profile} (${spec.meta.owner})`,
    [HEADER_KEY]: spec.meta,
  };
  return `${JSON.stringify(header)}\n`;
}

/** One event line, newline included. `intervalMicros`: whole microseconds since the previous event. */
export function eventLine(intervalMicros: number, code: EventCode, data: string): string {
  return `[${formatSeconds(intervalMicros)}, "${code}", ${JSON.stringify(data)}]\n`;
}

/**
 * The event line with the longest beginning of `data` that fits in `budget` bytes, or undefined
 * when not even a character does. Never cuts a surrogate pair: the line stays valid UTF-8.
 */
export function fittingLine(
  intervalMicros: number,
  code: EventCode,
  data: string,
  budget: number,
): string | undefined {
  // Binary search on the length: escapes make bytes per character vary from 1 to 6.
  let low = 0;
  let high = data.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(eventLine(intervalMicros, code, prefix(data, middle))) <= budget) low = middle;
    else high = middle - 1;
  }
  const text = prefix(data, low);
  return text === '' ? undefined : eventLine(intervalMicros, code, text);
}

/** The first `length` UTF-16 units of `text`, one fewer if that would split a surrogate pair. */
function prefix(text: string, length: number): string {
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}

/**
 * Seconds with six decimals, from whole microseconds: intervals are computed between rounded
 * instants, so that rounding never accumulates over a long recording.
 */
export function formatSeconds(micros: number): string {
  const whole = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000).padStart(6, '0');
  return `${whole}.${fraction}`;
}

/** The `x` event's data: the exit code, or 128 + the signal's number as a shell reports it. */
export function exitData(status: ExitStatus): string {
  if (status.code !== null) return String(status.code);
  const number = status.signal === null ? undefined : SIGNAL_NUMBERS.get(status.signal);
  return String(128 + (number ?? 0));
}

const SIGNAL_NUMBERS = new Map<string, number>(Object.entries(constants.signals));

/** The `r` event's data: `COLSxROWS`. */
export function resizeData(size: TerminalSize): string {
  return `${size.cols}x${size.rows}`;
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** An argument as a POSIX shell would need it typed: for the header's human-readable `command`. */
function shellQuote(argument: string): string {
  return SHELL_SAFE.test(argument) ? argument : `'${argument.replaceAll("'", `'\\''`)}'`;
}
