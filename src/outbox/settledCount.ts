import type { Clock } from '../platform/clock.js';
import { SyncError } from '../model/errors.js';

/**
 * `flushPending`'s wait: resolves with how many of `settled` were acknowledged once all settled
 * (acknowledged or failed), or rejects with a 'timeout' SyncError after `timeoutMs`.
 */
export function settledCount(settled: Promise<void>[], clock: Clock, timeoutMs?: number): Promise<number> {
  const all = Promise.allSettled(settled).then((outcomes) => outcomes.filter((o) => o.status === 'fulfilled').length);
  if (timeoutMs === undefined) return all;
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(
      () =>
        reject(
          new SyncError(
            'timeout',
            `flushPending: writes were still unsettled after ${timeoutMs} ms. They stay queued and keep retrying.`,
          ),
        ),
      timeoutMs,
    );
    void all.then((count) => {
      clock.clearTimeout(timer);
      resolve(count);
    });
  });
}
