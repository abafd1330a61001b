// Summaries of repeated measurements, shared by the benchmarks.

/** The middle value (the upper one of an even count); NaN for none. Leaves `values` as it is. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The `p`th percentile by nearest rank from below; NaN for none. Leaves `values` as it is. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}
