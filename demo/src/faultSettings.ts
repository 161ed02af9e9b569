import type { Faults } from 'syncline/testing';

/** What the fault panel offers: a few switches over the dev server's `Faults`. */
export interface FaultSettings {
  offline: boolean;
  /** Share of push/pull requests answered 503. */
  errorRate: number;
  /** Added to every request (plus up to half as much jitter). */
  latencyMs: number;
  /** Half of push/pull requests answered 429 with `Retry-After: 2`. */
  rateLimit: boolean;
  /** The event stream opens and then goes silent. */
  stall: boolean;
}

export const RATE_LIMIT_RATE = 0.5;
export const RETRY_AFTER_SECONDS = 2;

export const noFaults: FaultSettings = { offline: false, errorRate: 0, latencyMs: 0, rateLimit: false, stall: false };

export function toFaults(s: FaultSettings): Faults {
  const faults: Faults = {};
  if (s.offline) faults.offline = true;
  if (s.errorRate > 0) faults.errorRate = s.errorRate;
  if (s.latencyMs > 0) Object.assign(faults, { latencyMs: s.latencyMs, jitterMs: s.latencyMs / 2 });
  if (s.rateLimit) Object.assign(faults, { rateLimitRate: RATE_LIMIT_RATE, retryAfterSeconds: RETRY_AFTER_SECONDS });
  if (s.stall) faults.stream = { stall: true };
  return faults;
}

/** Reads faults set elsewhere (curl, a test) as well as the panel can show them. */
export function fromFaults(f: Faults): FaultSettings {
  return {
    offline: f.offline === true,
    errorRate: f.errorRate ?? 0,
    latencyMs: f.latencyMs ?? 0,
    rateLimit: (f.rateLimitRate ?? 0) > 0,
    stall: f.stream?.stall === true,
  };
}
