// Reading an asciicast v3 file back in the recording tests, the way a player does: line by line,
// the header first, a last line cut short by a crash left out.
import { readFile } from 'node:fs/promises';

export interface CastEvent {
  interval: number;
  code: string;
  data: string;
}

export interface Cast {
  header: Record<string, unknown>;
  events: CastEvent[];
  /** A last line without its newline (a crash cut it), if any. */
  cutLine: string | undefined;
}

export function parseCast(text: string): Cast {
  const lines = text.split('\n');
  const last = lines.pop();
  const cutLine = last === '' || last === undefined ? undefined : last;
  const [first, ...rest] = lines;
  const header: unknown = JSON.parse(first ?? '');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error('no header');
  const events = rest.map((line) => {
    const event: unknown = JSON.parse(line);
    if (!Array.isArray(event) || event.length !== 3) throw new Error(`not an event: ${line}`);
    const fields: unknown[] = Array.from<unknown>(event);
    const [interval, code, data] = fields;
    if (typeof interval !== 'number' || typeof code !== 'string' || typeof data !== 'string') {
      throw new Error(`not an event: ${line}`);
    }
    return { interval, code, data };
  });
  return { header: Object.fromEntries(Object.entries(header)), events, cutLine };
}

export async function readCast(path: string): Promise<Cast> {
  return parseCast(await readFile(path, 'utf8'));
}

/** Every event's data with `code`, joined: what a stream carried. */
export function streamText(cast: Cast, code: string): string {
  return cast.events
    .filter((event) => event.code === code)
    .map((event) => event.data)
    .join('');
}
