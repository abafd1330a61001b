// Plain HTTP calls against a test gateway: every response comes back as status, headers and the
// parsed JSON body (`unknown`: tests check its shape).
export interface ApiOptions {
  token?: string;
  cookie?: string;
  origin?: string;
  /** A JSON value, or a raw string sent as-is with a JSON content type. */
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export async function api(
  baseUrl: string,
  method: string,
  path: string,
  options: ApiOptions = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.origin !== undefined) headers.origin = options.origin;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown = undefined;
  if ((response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed, text };
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const record: Record<string, unknown> = Object.fromEntries(Object.entries(value));
  return record[key];
}

/** `body.error.code` of an error response, or undefined. */
export function errorCode(response: ApiResponse): unknown {
  return field(field(response.body, 'error'), 'code');
}

/** Reads a nested field by path: `get(body, 'session', 'id')`. */
export function get(value: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>((current, key) => field(current, key), value);
}

/** A string field, or a thrown error naming what was missing. */
export function getString(value: unknown, ...path: string[]): string {
  const found = get(value, ...path);
  if (typeof found !== 'string') throw new Error(`expected a string at ${path.join('.')}`);
  return found;
}

export function getNumber(value: unknown, ...path: string[]): number {
  const found = get(value, ...path);
  if (typeof found !== 'number') throw new Error(`expected a number at ${path.join('.')}`);
  return found;
}
