import { SyncError } from 'syncline';
import {
  failureCause,
  PROBE_RETRY,
  probeDelay,
  retriedByItself,
  startsProbe,
  streamRetryDelay,
  withRetryHint,
} from '../../src/protocol/backoff.js';

// The retry policy's answers to "what does this failure say" and "how long now"
// (src/protocol/backoff.ts), shared by the outbox, the poller, the stream and the probe.
const policy = { baseMs: 500, maxMs: 30_000 };
const justBelowOne = 1 - 2 ** -52;
const http = (status: number, retryAfterMs?: number) => new SyncError('http', `answered ${status}`, { status, retryAfterMs });

describe('failureCause', () => {
  it('no answer at all is unreachable: network, timeout, and anything a connector threw that is not a SyncError', () => {
    expect(failureCause(new SyncError('network', 'x'))).toBe('unreachable');
    expect(failureCause(new SyncError('timeout', 'x'))).toBe('unreachable');
    expect(failureCause(new TypeError('fetch failed'))).toBe('unreachable');
    expect(failureCause('a string')).toBe('unreachable');
  });

  it.each([408, 429, 500, 502, 503, 504, 599])('%i is a server refusing', (status) => {
    expect(failureCause(http(status))).toBe('refusing');
  });

  it('answers about the request itself are neither', () => {
    expect(failureCause(new SyncError('http', '413', { status: 413, retryable: false }))).toBe('other');
    expect(failureCause(new SyncError('protocol', 'bad JSON'))).toBe('other');
    expect(failureCause(new SyncError('auth', '401', { status: 401 }))).toBe('other');
    expect(failureCause(new SyncError('fenced', '409', { status: 409 }))).toBe('other');
  });
});

describe('startsProbe', () => {
  it('an unreachable server, and a refusal without Retry-After or with a short one, start the probe', () => {
    expect(startsProbe(new SyncError('network', 'x'))).toBe(true);
    expect(startsProbe(http(503))).toBe(true);
    expect(startsProbe(http(502, 1000))).toBe(true);
  });

  it('a Retry-After of the probe\'s cap or more is taken at the server\'s word: no probe', () => {
    expect(startsProbe(http(503, PROBE_RETRY.maxMs))).toBe(false);
    expect(startsProbe(http(429, 86_400_000))).toBe(false);
  });

  it.each([NaN, -1])('a garbage Retry-After (%s) counts as none', (retryAfterMs) => {
    expect(startsProbe(http(503, retryAfterMs))).toBe(true);
  });

  it('a refusal about the request itself starts none', () => {
    expect(startsProbe(new SyncError('protocol', 'x', { status: 400 }))).toBe(false);
    expect(startsProbe(new SyncError('auth', 'x', { status: 401 }))).toBe(false);
  });
});

it('retriedByItself: retryable errors and auth (the next attempt asks headers() again)', () => {
  expect(retriedByItself(http(503))).toBe(true);
  expect(retriedByItself(new SyncError('auth', 'x', { status: 401 }))).toBe(true);
  expect(retriedByItself(new SyncError('protocol', 'x', { status: 422 }))).toBe(false);
});

describe('probeDelay', () => {
  it('draws from the upper three quarters of a ceiling doubling from 250 ms to 2 s', () => {
    expect(probeDelay(http(503), 0, policy.maxMs, () => 0)).toBe(62);
    expect(probeDelay(http(503), 0, policy.maxMs, () => justBelowOne)).toBe(249);
    expect(probeDelay(new SyncError('network', 'x'), 20, policy.maxMs, () => 0)).toBe(500);
    expect(probeDelay(new SyncError('network', 'x'), 20, policy.maxMs, () => justBelowOne)).toBe(1999);
  });

  it('a ping answered with Retry-After waits that, capped by retry.maxMs', () => {
    expect(probeDelay(http(503, 5000), 0, policy.maxMs, () => 0)).toBe(5000);
    expect(probeDelay(http(503, 86_400_000), 0, policy.maxMs, () => 0)).toBe(30_000);
  });
});

describe('streamRetryDelay', () => {
  it('a Retry-After shorter than the probe\'s cap is a floor under the backoff', () => {
    expect(streamRetryDelay(http(503, 1000), 6, policy, () => 0.5)).toBe(15_000);
    expect(streamRetryDelay(http(503, 1000), 0, policy, () => 0.5)).toBe(1250);
  });

  it('a longer one replaces the backoff, as for writes', () => {
    expect(streamRetryDelay(http(503, 5000), 6, policy, () => 0)).toBe(5000);
  });

  it('without one, full jitter', () => {
    expect(streamRetryDelay(http(503), 2, policy, () => 0.5)).toBe(1000);
  });
});

describe('withRetryHint', () => {
  it('raises the base up to maxMs; garbage changes nothing', () => {
    expect(withRetryHint(policy, 3000)).toEqual({ baseMs: 3000, maxMs: 30_000 });
    expect(withRetryHint(policy, 10 ** 12)).toEqual({ baseMs: 30_000, maxMs: 30_000 });
    expect(withRetryHint(policy, NaN)).toEqual(policy);
    expect(withRetryHint(policy, -5)).toEqual(policy);
    expect(withRetryHint(policy, 100)).toEqual(policy);
  });
});
