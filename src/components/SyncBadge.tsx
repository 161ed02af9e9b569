'use client';
import { forwardRef, useEffect, useState } from 'react';
import type { ComponentPropsWithoutRef, ForwardedRef } from 'react';
import type { SyncState } from '../model/types.js';
import { useSyncStatus } from '../react/useSyncStatus.js';
import { classNames } from './classNames.js';

/** Every string the badge can show, one per state. */
export type SyncBadgeLabels = Record<SyncState, string>;

const defaultLabels: SyncBadgeLabels = {
  unknown: 'Not synced yet',
  synced: 'Saved',
  pending: 'Waiting to save',
  syncing: 'Saving…',
  offline: 'Offline: changes kept on this device',
  error: 'Some changes failed to save',
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
  return <Badge {...props} state={state} rootRef={ref} />;
});

type BadgeProps = Omit<SyncBadgeProps, 'threadId'> & { state: SyncState; rootRef: ForwardedRef<HTMLSpanElement> };

/**
 * The badge without the store: `shown` is adjusted during render, and React 18 would stop
 * refreshing a store subscription in the component that does that (every later store change
 * then re-rendered the badge), so the subscription lives in SyncBadge above.
 */
function Badge({ state, labels, unstyled, syncedDelayMs = 300, className, rootRef, ...rest }: BadgeProps) {
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

  const text = labels?.[shown] ?? defaultLabels[shown];
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
