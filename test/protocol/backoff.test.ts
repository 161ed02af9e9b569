import { SyncError } from 'syncline';
import { seededRandom } from 'syncline/testing';
import { backoffDelay, DEFAULT_RETRY, retryDelay } from '../../src/protocol/backoff.js';
import { errorFromStatus, parseRetryAfter } from '../../src/transport/httpErrors.js';

const policy = { baseMs: 500, maxMs: 30_000 };
const justBelowOne = 1 - Number.EPSILON;

describe('backoffDelay (full jitter)', () => {
  it('defaults to 500 ms base and a 30 s cap', () => {
    expect(DEFAULT_RETRY).toEqual({ baseMs: 500, maxMs: 30_000 });
  });

  it('spans [0, base * 2^attempt) up to the cap', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(30_000, 500 * 2 ** attempt);
      expect(backoffDelay(attempt, policy, () => 0)).toBe(0);
      expect(backoffDelay(attempt, policy, () => justBelowOne)).toBe(ceiling - 1);
    }
  });

  it('never exceeds maxMs, however many attempts failed', () => {
    const random = seededRandom(7);
    for (const attempt of [6, 7, 50, 1000, Number.MAX_SAFE_INTEGER]) {
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelay(attempt, policy, random);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(30_000);
      }
    }
    expect(backoffDelay(1000, { baseMs: 500, maxMs: 2000 }, () => justBelowOne)).toBe(1999);
  });

  it('spreads clients out: seeded draws cover the range', () => {
    const random = seededRandom(1);
    const draws = Array.from({ length: 500 }, () => backoffDelay(3, policy, random));
    expect(Math.min(...draws)).toBeLessThan(400);
    expect(Math.max(...draws)).toBeGreaterThan(3600);
    expect(new Set(draws).size).toBeGreaterThan(400);
  });

  it('treats a negative attempt as the first', () => {
    expect(backoffDelay(-3, policy, () => justBelowOne)).toBe(499);
  });
});

describe('retryDelay', () => {
  it('uses backoff without a Retry-After', () => {
    expect(retryDelay(undefined, 2, policy, () => 0.5)).toBe(1000);
    expect(retryDelay(new SyncError('network', 'x'), 2, policy, () => 0.5)).toBe(1000);
  });

  it('waits a Retry-After under maxMs in full, plus under a second of jitter', () => {
    const error = new SyncError('http', 'x', { status: 429, retryAfterMs: 2000 });
    expect(retryDelay(error, 0, policy, () => 0)).toBe(2000);
    expect(retryDelay(error, 9, policy, () => justBelowOne)).toBe(2499);
    const slow = { baseMs: 5000, maxMs: 30_000 };
    expect(retryDelay(error, 0, slow, () => justBelowOne)).toBe(2999);
  });

  it('caps a longer Retry-After at maxMs, still jittered below it', () => {
    const day = new SyncError('http', 'x', { status: 503, retryAfterMs: 86_400_000 });
    expect(retryDelay(day, 0, policy, () => 0)).toBe(30_000);
    expect(retryDelay(day, 0, policy, () => justBelowOne)).toBe(29_501);
    const random = seededRandom(5);
    const draws = Array.from({ length: 200 }, () => retryDelay(day, 0, policy, random));
    expect(Math.max(...draws)).toBeLessThanOrEqual(30_000);
    expect(new Set(draws).size).toBeGreaterThan(100);
  });

  it('keeps every delay in the range a timer can hold, whatever maxMs says', () => {
    const huge = { baseMs: 500, maxMs: Infinity };
    const far = new SyncError('http', 'x', { status: 503, retryAfterMs: 2 ** 45 });
    expect(retryDelay(far, 0, huge, () => 0)).toBe(2 ** 31 - 1);
    expect(backoffDelay(40, { baseMs: 2 ** 40, maxMs: Infinity }, () => justBelowOne)).toBeLessThan(2 ** 31);
  });

  it.each([NaN, -1, -Infinity])('ignores a retryAfterMs of %s and backs off instead', (retryAfterMs) => {
    const error = new SyncError('http', 'x', { status: 503, retryAfterMs });
    expect(retryDelay(error, 2, policy, () => 0.5)).toBe(1000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2030, 5, 1, 8, 0, 0);

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
  });

  it('reads the three HTTP date forms, relative to now', () => {
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(parseRetryAfter('Saturday, 01-Jun-30 08:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Sat Jun  1 08:00:30 2030', now)).toBe(30_000);
  });

  it('keeps a huge value in the timer range: 2^32 s, a thousand digits, a date in 3000', () => {
    expect(parseRetryAfter(String(2 ** 32), now)).toBe(2 ** 31 - 1);
    expect(parseRetryAfter('9'.repeat(1000), now)).toBe(2 ** 31 - 1);
    expect(parseRetryAfter('Wed, 01 Jan 3000 00:00:00 GMT', now)).toBe(2 ** 31 - 1);
  });

  it('turns a date in the past into 0', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(0);
  });

  it.each([null, undefined, '', '  ', 'soon', '1.5', '-1', '5 minutes', '0x10', '1e3', '2030-06-01T08:00:10Z', 'Mon'])(
    'ignores %j',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );
});

describe('errorFromStatus', () => {
  const now = 1_000_000;
  it.each<[number, string, boolean]>([
    [401, 'auth', false],
    [403, 'auth', false],
    [409, 'fenced', false],
    [408, 'http', true],
    [429, 'http', true],
    [500, 'http', true],
    [502, 'http', true],
    [503, 'http', true],
    [413, 'http', false],
    [400, 'protocol', false],
    [404, 'protocol', false],
    [422, 'protocol', false],
  ])('%i → %s, retryable %s', (status, kind, retryable) => {
    const error = errorFromStatus(status, 'POST /push', { now });
    expect(error).toMatchObject({ kind, retryable, status });
    expect(error.message).toContain('POST /push');
  });

  it('fences only a push: a 409 elsewhere is a retryable server error', () => {
    expect(errorFromStatus(409, 'POST /push', { now })).toMatchObject({ kind: 'fenced', status: 409 });
    for (const route of ['POST /pull', 'GET /events', 'GET /ping']) {
      expect(errorFromStatus(409, route, { now })).toMatchObject({ kind: 'http', retryable: true, status: 409 });
    }
  });

  it('carries Retry-After on retryable answers and ignores garbage', () => {
    expect(errorFromStatus(503, 'GET /ping', { retryAfter: '7', now }).retryAfterMs).toBe(7000);
    expect(errorFromStatus(429, 'GET /ping', { retryAfter: 'later', now }).retryAfterMs).toBeUndefined();
    expect(errorFromStatus(429, 'GET /ping', { retryAfter: null, now }).retryAfterMs).toBeUndefined();
  });
});
