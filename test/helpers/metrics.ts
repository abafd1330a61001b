// Reading the gateway's Prometheus metrics in tests: scrape, then look series up by name and labels.
import assert from 'node:assert/strict';

/** GET `url` (a /metrics URL) and return the exposition text (200 asserted). */
export async function scrape(url: string, token?: string): Promise<string> {
  const response = await fetch(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return text;
}

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of (text ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
    if (match[1] !== undefined) labels[match[1]] = match[2] ?? '';
  }
  return labels;
}

/**
 * The value of the series `name` whose labels include `labels` (summed when several match);
 * 0 when none does.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = parseLabels(match[2]);
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) total += Number(match[3]);
  }
  return total;
}
