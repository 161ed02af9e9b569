/**
 * A log-bucketed histogram (as DDSketch): a value lands in bucket ⌈log_γ v⌉ and reads back as
 * the bucket's middle, so any quantile is within {@link RELATIVE_ERROR} of a true sample's value.
 * Bounded: between 1 µs and 10⁷ ms there are at most ~1000 buckets whatever the traffic.
 */
export const RELATIVE_ERROR = 0.01;
const GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or under this (ms) count as 0: a fake clock's instant ack. */
const ZERO = 1e-3;

export interface Sketch {
  count: number;
  /** bucket index -> samples; bucket -1e9 holds the zeros. */
  buckets: Map<number, number>;
}

export const createSketch = (): Sketch => ({ count: 0, buckets: new Map() });

export function addSample(sketch: Sketch, ms: number): void {
  const key = ms > ZERO ? Math.ceil(Math.log(ms) / LOG_GAMMA) : -1e9;
  sketch.buckets.set(key, (sketch.buckets.get(key) ?? 0) + 1);
  sketch.count++;
}

/** The q-quantile (0 < q ≤ 1) over these sketches together; null without samples. */
export function quantile(sketches: Sketch[], q: number): number | null {
  const merged = new Map<number, number>();
  let count = 0;
  for (const s of sketches) {
    count += s.count;
    for (const [key, n] of s.buckets) merged.set(key, (merged.get(key) ?? 0) + n);
  }
  if (count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * count));
  let seen = 0;
  for (const key of [...merged.keys()].sort((a, b) => a - b)) {
    seen += merged.get(key)!;
    if (seen >= rank) return key === -1e9 ? 0 : (2 * GAMMA ** key) / (GAMMA + 1);
  }
  return null;
}
