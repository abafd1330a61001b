// Reads a shellgate asciicast v3 file (docs/recording.md) into what asciinema-player plays: times
// made absolute (milliseconds), a pipe session's stderr (`e`, shellgate's own code) turned into
// output in the colour live pipe sessions give it, markers kept for jumping. Codes the player does
// not know are left out, as the format asks; so is a last line a crash cut short.

/** The colour live sessions give stderr (terminal/screen.ts): red on, default foreground back. */
const STDERR_ON = '\x1b[31m';
const STDERR_OFF = '\x1b[39m';

export type PlayerEvent = [time: number, code: 'o' | 'r' | 'm' | 'i', data: string];

export interface CastMarker {
  /** Seconds from the start. */
  time: number;
  label: string;
}

export interface ParsedCast {
  cols: number;
  rows: number;
  events: PlayerEvent[];
  markers: CastMarker[];
  /** The `x` event's status, or null when the file has none (a crash, or still recording). */
  exit: string | null;
  /** Seconds from the start to the last event. */
  duration: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export function parseCast(file: string): ParsedCast {
  const lines = file.split('\n');
  const header = parseLine(lines[0] ?? '');
  const term = isRecord(header) ? header.term : undefined;
  if (!isRecord(header) || header.version !== 3 || !isRecord(term)) {
    throw new Error('not an asciicast v3 recording: its first line is no v3 header');
  }
  // A pipe session's output has bare line feeds; its live terminal turns them into new lines
  // (convertEol), and so does playback, or lines would step right.
  const shellgate = header.shellgate;
  const pipe = isRecord(shellgate) && shellgate.mode === 'pipe';
  const text = (data: string): string => (pipe ? data.replace(/\r?\n/g, '\r\n') : data);
  const cols = typeof term.cols === 'number' && term.cols > 0 ? term.cols : 80;
  const rows = typeof term.rows === 'number' && term.rows > 0 ? term.rows : 24;
  const events: PlayerEvent[] = [];
  const markers: CastMarker[] = [];
  let exit: string | null = null;
  let micros = 0;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const event = parseLine(line);
    if (!Array.isArray(event)) continue;
    const [interval, code, data] = event as unknown[];
    if (typeof interval !== 'number' || typeof code !== 'string' || typeof data !== 'string') continue;
    // Whole microseconds, as written: the sum stays exact where adding seconds would drift.
    micros += Math.round(interval * 1e6);
    const time = micros / 1000;
    switch (code) {
      case 'o':
        events.push([time, code, text(data)]);
        break;
      case 'r':
      case 'i':
        events.push([time, code, data]);
        break;
      case 'e':
        events.push([time, 'o', `${STDERR_ON}${text(data)}${STDERR_OFF}`]);
        break;
      case 'm':
        events.push([time, 'm', data]);
        markers.push({ time: micros / 1e6, label: data });
        break;
      case 'x':
        exit = data;
        // An event at the exit, so the player's timeline runs to the end of the session.
        events.push([time, 'o', '']);
        break;
      default:
        break;
    }
  }
  if (events.length === 0) events.push([0, 'o', '']);
  return { cols, rows, events, markers, exit, duration: micros / 1e6 };
}
