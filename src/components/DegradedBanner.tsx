'use client';
import { forwardRef, useEffect, useState } from 'react';
import type { ComponentPropsWithoutRef, MouseEvent } from 'react';
import type { DegradedReason } from '../model/types.js';
import { useSyncClient } from '../react/useSyncClient.js';
import { useSyncHealth } from '../react/useSyncHealth.js';
import { classNames } from './classNames.js';
import { formatDuration } from './formatDuration.js';

/** Every string the banner can show: one per degraded reason, the duration and the button. */
export interface DegradedBannerLabels extends Record<Exclude<DegradedReason, 'push-unavailable'>, string> {
  /**
   * @deprecated The old name of the `'stream-unavailable'` label (docs/liveness.md): shown for
   * that reason when no `'stream-unavailable'` label is given.
   */
  'push-unavailable'?: string;
  /** Degraded without a reason the banner knows. */
  degraded: string;
  /** How long it has lasted, from whole seconds. */
  duration: (seconds: number) => string;
  retry: string;
}

const defaultLabels: DegradedBannerLabels = {
  offline: 'You are offline. Changes are kept on this device and sent when you reconnect.',
  'stream-unavailable': 'Live updates are unavailable. Checking for changes every few seconds.',
  'server-errors': 'The server is having trouble. Retrying automatically.',
  stale: 'Live updates stopped arriving. Checking for changes every few seconds.',
  auth: 'Your session has expired. Sign in again to keep syncing.',
  fenced: 'Another tab took over syncing. Reload this tab to keep editing.',
  storage: 'Changes cannot be saved on this device. Keep this tab open until they are sent: closing it would lose them.',
  degraded: 'Sync is having trouble.',
  duration: (seconds) => `For ${formatDuration(seconds)}.`,
  retry: 'Retry now',
};

export type DegradedBannerState = 'hidden' | 'visible';

export interface DegradedBannerProps extends Omit<ComponentPropsWithoutRef<'div'>, 'children'> {
  labels?: Partial<DegradedBannerLabels>;
  unstyled?: boolean;
  /** Degradation shorter than this never shows, so blips do not flicker. @default 1500 */
  delayMs?: number;
  /**
   * The time source; must be the clock the client was given (`health.degradedSince` is read
   * with it). @default Date.now
   */
  now?: () => number;
  /** Runs before the banner's own reconnect; call `event.preventDefault()` to skip that. */
  onRetry?: (event: MouseEvent<HTMLButtonElement>) => void;
}

/**
 * Says that sync is degraded, why, and for how long, once it has lasted `delayMs`; offers
 * "Retry now". While healthy its root stays in the DOM, `hidden`, with `data-state="hidden"`.
 */
export const DegradedBanner = forwardRef<HTMLDivElement, DegradedBannerProps>(
  function DegradedBanner(
    { labels, unstyled, delayMs = 1500, now = Date.now, onRetry, className, ...rest },
    ref,
  ) {
    const client = useSyncClient();
    const health = useSyncHealth();

    // The episode started when health turned degraded; state changes inside it (connecting ->
    // polling) do not restart it, and a banner mounted mid-episode knows how long it has lasted.
    const since = health.degradedSince;

    // The time the banner last read: it changes only when what the banner shows would.
    const [current, setCurrent] = useState(now);
    useEffect(() => {
      if (since === null) return;
      const fresh = now();
      const shown = (t: number) => (t - since < delayMs ? -1 : Math.floor((t - since) / 1000));
      if (shown(fresh) !== shown(current)) {
        setCurrent(fresh);
        return;
      }
      const elapsed = fresh - since;
      // Wake up when the banner is due, then as each whole second passes so "for N s" ticks.
      const wait = elapsed < delayMs ? delayMs - elapsed : 1000 - (elapsed % 1000);
      const timer = setTimeout(() => setCurrent(now()), wait);
      return () => clearTimeout(timer);
      // `health` too: each change re-reads the time, which keeps a fake clock's banner current.
    }, [since, current, delayMs, now, health]);

    const elapsed = since === null ? -1 : current - since;
    const state: DegradedBannerState = since !== null && elapsed >= delayMs ? 'visible' : 'hidden';
    const all = { ...defaultLabels, ...labels };
    // Labels written for the old name of the reason keep working (docs/liveness.md).
    const streamLabel = labels?.['stream-unavailable'] ?? labels?.['push-unavailable'] ?? all['stream-unavailable'];
    const reason = health.degradedReason === 'push-unavailable' ? 'stream-unavailable' : health.degradedReason;

    const handleRetry = (event: MouseEvent<HTMLButtonElement>) => {
      onRetry?.(event);
      if (!event.defaultPrevented) client.reconnect();
    };

    return (
      <div
        role={state === 'visible' ? 'alert' : undefined}
        hidden={state === 'hidden'}
        data-state={state}
        data-reason={state === 'visible' ? (reason ?? 'degraded') : undefined}
        className={classNames(unstyled, 'syncline-banner', className)}
        {...rest}
        ref={ref}
      >
        {state === 'visible' && (
          <>
            <span className={classNames(unstyled, 'syncline-banner__message')}>
              {reason === 'stream-unavailable' ? streamLabel : all[reason ?? 'degraded']}{' '}
              <span className={classNames(unstyled, 'syncline-banner__since')}>
                {all.duration(Math.floor(elapsed / 1000))}
              </span>
            </span>
            <button
              type="button"
              className={classNames(unstyled, 'syncline-banner__retry')}
              onClick={handleRetry}
            >
              {all.retry}
            </button>
          </>
        )}
      </div>
    );
  },
);
