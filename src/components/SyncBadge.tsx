'use client';
import { forwardRef, useEffect, useState } from 'react';
import type { ComponentPropsWithoutRef, ForwardedRef } from 'react';
import type { SyncState } from '../model/types.js';
import { useSyncStatus } from '../react/useSyncStatus.js';
import { classNames } from './classNames.js';
import { formatDuration } from './formatDuration.js';

/** Every string the badge can show: one per state, and the age of a copy shown before the server answered. */
export interface SyncBadgeLabels extends Record<SyncState, string> {
  /**
   * Shown instead of `unknown` when what is on screen came from the local copy: this page load
   * has not heard from the server yet, and the copy was confirmed `seconds` ago (docs/local-copy.md).
   */
  lastSynced: (seconds: number) => string;
}

const defaultLabels: SyncBadgeLabels = {
  unknown: 'Not synced yet',
  synced: 'Saved',
  pending: 'Waiting to save',
  syncing: 'Saving…',
  offline: 'Offline: changes kept on this device',
  error: 'Some changes failed to save',
  lastSynced: (seconds) => (seconds < 60 ? 'Last synced just now' : `Last synced ${formatDuration(seconds)} ago`),
};

export interface SyncBadgeProps extends Omit<ComponentPropsWithoutRef<'span'>, 'children'> {
  /** The thread to report on; the whole client when left out. */
  threadId?: string;
  labels?: Partial<SyncBadgeLabels>;
  /** Drops the `syncline-*` class names, for apps that style the badge themselves. */
  unstyled?: boolean;
  /**
   * How long "synced" waits after "pending" or "syncing" before it shows, so a quick round trip
   * does not flicker. Nothing else is ever delayed. @default 300
   */
  syncedDelayMs?: number;
  /**
   * The time source for "last synced 5 min ago"; must be the clock the client was given
   * (`lastSyncedAt` is read with it). @default Date.now
   */
  now?: () => number;
}

const busy = (state: SyncState) => state === 'pending' || state === 'syncing';

/**
 * A `role="status"` live region that says whether this thread (or the client) is saved.
 * `data-state` on the root is the SyncState shown.
 */
export const SyncBadge = forwardRef<HTMLSpanElement, SyncBadgeProps>(function SyncBadge(
  { threadId, ...props },
  ref,
) {
  const status = useSyncStatus(threadId);
  // A write not acknowledged yet is never reported as saved, whatever the store computed.
  const state: SyncState =
    status.state === 'synced' && status.pendingCount > 0 ? 'pending' : status.state;
  return <Badge {...props} state={state} lastSyncedAt={status.lastSyncedAt} rootRef={ref} />;
});

type BadgeProps = Omit<SyncBadgeProps, 'threadId'> & {
  state: SyncState;
  lastSyncedAt: number | null;
  rootRef: ForwardedRef<HTMLSpanElement>;
};

/** Whole minutes since `at`: the "last synced" label changes at most once a minute. */
const minutesSince = (at: number, now: number) => Math.floor((now - at) / 60_000);

/**
 * The badge without the store: `shown` is adjusted during render, and React 18 would stop
 * refreshing a store subscription in the component that does that (every later store change
 * then re-rendered the badge), so the subscription lives in SyncBadge above.
 */
function Badge({ state, lastSyncedAt, labels, unstyled, syncedDelayMs = 300, now = Date.now, className, rootRef, ...rest }: BadgeProps) {
  // `shown` lags `state` only on the busy -> synced edge; it is adjusted during render (not in an
  // effect) so every other change costs one render, not two.
  const [shown, setShown] = useState<SyncState>(state);
  const [seen, setSeen] = useState<SyncState>(state);
  if (seen !== state) {
    setSeen(state);
    if (!(state === 'synced' && busy(shown) && syncedDelayMs > 0)) setShown(state);
  }
  useEffect(() => {
    if (shown === state) return;
    const timer = setTimeout(() => setShown(state), syncedDelayMs);
    return () => clearTimeout(timer);
  }, [shown, state, syncedDelayMs]);

  // The age of a copy on screen: read again as each minute passes, so the label stays true.
  const aged = shown === 'unknown' && lastSyncedAt !== null;
  const [current, setCurrent] = useState(now);
  useEffect(() => {
    if (!aged) return;
    const fresh = now();
    if (minutesSince(lastSyncedAt, fresh) !== minutesSince(lastSyncedAt, current)) {
      setCurrent(fresh);
      return;
    }
    const timer = setTimeout(() => setCurrent(now()), 60_000 - ((((fresh - lastSyncedAt) % 60_000) + 60_000) % 60_000));
    return () => clearTimeout(timer);
  }, [aged, lastSyncedAt, current, now]);

  const text = aged
    ? (labels?.lastSynced ?? defaultLabels.lastSynced)(Math.max(0, Math.floor((current - lastSyncedAt) / 1000)))
    : (labels?.[shown] ?? defaultLabels[shown]);
  return (
    <span
      role="status"
      aria-live="polite"
      data-state={shown}
      className={classNames(unstyled, 'syncline-badge', className)}
      {...rest}
      ref={rootRef}
    >
      <span aria-hidden="true" className={classNames(unstyled, 'syncline-badge__dot')} />
      <span className={classNames(unstyled, 'syncline-badge__label')}>{text}</span>
    </span>
  );
}
