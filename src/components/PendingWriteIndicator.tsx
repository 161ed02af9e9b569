'use client';
import { forwardRef, useId, useLayoutEffect, useRef } from 'react';
import type { ComponentPropsWithoutRef, MouseEvent } from 'react';
import type { PendingWrite } from '../model/types.js';
import { usePendingItems } from '../react/usePendingItems.js';
import { classNames } from './classNames.js';
import { useComposedRef } from './useComposedRef.js';

/** Every string the indicator can show. */
export interface PendingWriteIndicatorLabels {
  /** Writes waiting for the server (failed ones not counted). */
  pending: (count: number) => string;
  /** Waiting writes the device could not store: only this tab holds them. */
  unsaved: (count: number) => string;
  failed: (count: number) => string;
  /** What a write was, for the list of failed ones. */
  write: (write: PendingWrite) => string;
  /** A failed write whose error carries no message. */
  unknownError: string;
  retry: string;
  discard: string;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const writeNames: Record<string, string> = {
  addMessage: 'New message',
  editMessage: 'Message edit',
  deleteMessage: 'Message deletion',
  setTitle: 'Title change',
  appendDelta: 'Reply text',
};

const defaultLabels: PendingWriteIndicatorLabels = {
  pending: (n) => `${plural(n, 'change', 'changes')} waiting to sync`,
  unsaved: (n) => `${plural(n, 'change is', 'changes are')} only in this tab: closing it would lose them`,
  failed: (n) => `${plural(n, 'change', 'changes')} could not be saved`,
  write: (w) => writeNames[w.name] ?? w.name,
  unknownError: 'Unknown error',
  retry: 'Retry',
  discard: 'Discard',
};

export type PendingWriteIndicatorState = 'empty' | 'pending' | 'failed';

export interface PendingWriteIndicatorProps extends Omit<ComponentPropsWithoutRef<'div'>, 'children'> {
  /** The thread to report on; every thread when left out. */
  threadId?: string;
  labels?: Partial<PendingWriteIndicatorLabels>;
  unstyled?: boolean;
  /** Runs before the write is retried; `event.preventDefault()` skips the retry. */
  onRetry?: (write: PendingWrite, event: MouseEvent<HTMLButtonElement>) => void;
  /** Runs before the write is discarded; `event.preventDefault()` skips the discard. */
  onDiscard?: (write: PendingWrite, event: MouseEvent<HTMLButtonElement>) => void;
}

/**
 * How many writes wait for the server, and each failed one with its error and Retry / Discard.
 * `data-state` is `failed` while any write failed, else `pending` while any waits, else `empty`
 * (root kept, `hidden`).
 */
export const PendingWriteIndicator = forwardRef<HTMLDivElement, PendingWriteIndicatorProps>(
  function PendingWriteIndicator(
    { threadId, labels, unstyled, onRetry, onDiscard, className, ...rest },
    ref,
  ) {
    const { items, retry, discard } = usePendingItems(threadId);
    const idBase = useId();
    const all = { ...defaultLabels, ...labels };
    const failed = items.filter((w) => w.state === 'failed');
    const waiting = items.length - failed.length;
    const unsaved = items.filter((w) => w.state !== 'failed' && w.lastError?.kind === 'storage').length;
    const state: PendingWriteIndicatorState =
      failed.length > 0 ? 'failed' : waiting > 0 ? 'pending' : 'empty';
    const cls = (name: string) => classNames(unstyled, name);

    // Retry and Discard take their item out of the list, and the focused button with it. Keep
    // keyboard users inside the indicator: on the next button, or on the root itself.
    const rootRef = useRef<HTMLDivElement>(null);
    const composedRef = useComposedRef(ref, rootRef);
    const refocus = useRef(false);
    useLayoutEffect(() => {
      if (!refocus.current) return;
      refocus.current = false;
      const root = rootRef.current;
      const active = root?.ownerDocument.activeElement;
      if (!root || (active && active !== root.ownerDocument.body)) return;
      (root.querySelector('button') ?? root).focus();
    });
    const runAction = (event: MouseEvent<HTMLButtonElement>, run: () => void) => {
      if (event.defaultPrevented) return;
      refocus.current = event.currentTarget === event.currentTarget.ownerDocument.activeElement;
      run();
    };

    return (
      <div
        hidden={state === 'empty'}
        data-state={state}
        className={classNames(unstyled, 'syncline-pending', className)}
        tabIndex={-1}
        {...rest}
        ref={composedRef}
      >
        {waiting > 0 && <p className={cls('syncline-pending__count')}>{all.pending(waiting)}</p>}
        {unsaved > 0 && <p className={cls('syncline-pending__unsaved')}>{all.unsaved(unsaved)}</p>}
        {failed.length > 0 && (
          <>
            <p className={cls('syncline-pending__count')}>{all.failed(failed.length)}</p>
            <ul className={cls('syncline-pending__list')}>
              {failed.map((write) => {
                const errorId = `${idBase}-${write.id}`;
                return (
                  <li key={write.id} className={cls('syncline-pending__item')}>
                    <span className={cls('syncline-pending__name')}>{all.write(write)}</span>
                    {/* Server text goes in as a text node: React escapes it, never parses HTML. */}
                    <span id={errorId} className={cls('syncline-pending__error')}>
                      {write.lastError?.message || all.unknownError}
                    </span>
                    <span className={cls('syncline-pending__actions')}>
                      <button
                        type="button"
                        aria-describedby={errorId}
                        className={cls('syncline-pending__retry')}
                        onClick={(event) => {
                          onRetry?.(write, event);
                          runAction(event, () => retry(write.id));
                        }}
                      >
                        {all.retry}
                      </button>
                      <button
                        type="button"
                        aria-describedby={errorId}
                        className={cls('syncline-pending__discard')}
                        onClick={(event) => {
                          onDiscard?.(write, event);
                          runAction(event, () => discard(write.id));
                        }}
                      >
                        {all.discard}
                      </button>
                    </span>
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </div>
    );
  },
);
