import { timerSafe } from '../protocol/backoff.js';
import { SyncError } from '../model/errors.js';

/**
 * `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns ms from
 * `now`, kept in a timer's range (the caller caps it further by `retry.maxMs`), or undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const trimmed = value?.trim() ?? '';
  // A thousand digits is Infinity: still "very long", which the timer range then holds.
  if (/^\d+$/.test(trimmed)) return timerSafe(Number(trimmed) * 1000);
  // Every HTTP-date form starts with a day name. Date.parse alone is lenient: it reads "1.5" or
  // "-1" as dates in 2001, which would turn garbage into "retry now".
  if (!/^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i.test(trimmed)) return undefined;
  // HTTP dates are always GMT; the asctime form does not say so and would be read as local time.
  const at = Date.parse(/\b(GMT|UTC)\b/i.test(trimmed) ? trimmed : `${trimmed} GMT`);
  return Number.isNaN(at) ? undefined : timerSafe(at - now);
}

/** Maps a non-2xx HTTP status to the SyncError the protocol gives it (docs/protocol.md). */
export function errorFromStatus(
  status: number,
  route: string,
  options: { retryAfter?: string | null; now: number },
): SyncError {
  const answered = `${route} answered ${status}`;
  if (status === 401 || status === 403) {
    return new SyncError(
      'auth',
      `${answered}: the server does not accept these credentials. ` +
        'Refresh the token your headers() option returns; syncline retries once it can.',
      { status },
    );
  }
  // Only a push can be fenced (docs/protocol.md); a 409 anywhere else is a server fault, retried.
  if (status === 409 && route === 'POST /push') {
    return new SyncError(
      'fenced',
      `${answered}: another tab or device took over this outbox (a newer epoch). ` +
        'This client stopped writing; reload to become the writer again.',
      { status },
    );
  }
  if (status === 408 || status === 409 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(options.retryAfter, options.now);
    const wait = retryAfterMs === undefined ? '' : ` after the ${Math.round(retryAfterMs / 1000)} s the server asked for, at most retry.maxMs`;
    return new SyncError('http', `${answered}; syncline retries with backoff${wait}.`, { status, retryAfterMs });
  }
  if (status === 413) {
    return new SyncError(
      'http',
      `${answered}: the request is too large. syncline splits the batch; a single write ` +
        'this large must be made smaller.',
      { status, retryable: false },
    );
  }
  return new SyncError(
    'protocol',
    `${answered}: the server refused the request as malformed. ` +
      'Check that the server speaks syncline protocol v1.',
    { status },
  );
}
