export type SyncErrorKind =
  | 'network'
  | 'timeout'
  | 'http'
  | 'protocol'
  | 'rejected'
  | 'auth'
  | 'fenced'
  | 'outbox-full'
  | 'storage';

export interface SyncErrorOptions {
  retryable?: boolean;
  status?: number;
  /** The server's rejection code (`not-found`, `out-of-order`, …) for `rejected` errors. */
  code?: string;
  /** From a `Retry-After` header, in ms from the moment the answer arrived. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** The kinds syncline retries by itself unless told otherwise; every other kind waits for the app. */
const RETRYABLE_KINDS: readonly SyncErrorKind[] = ['network', 'timeout', 'http'];

/**
 * Every failure syncline reports. `kind` says what happened, `retryable` whether syncline keeps
 * trying by itself; the message says what to do next.
 */
export class SyncError extends Error {
  readonly kind: SyncErrorKind;
  readonly retryable: boolean;
  readonly status?: number;
  readonly code?: string;
  readonly retryAfterMs?: number;

  constructor(kind: SyncErrorKind, message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SyncError';
    this.kind = kind;
    this.retryable = options.retryable ?? RETRYABLE_KINDS.includes(kind);
    this.status = options.status;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Thrown by `mutate` when `maxPending` writes are already waiting. Nothing was queued. */
export class OutboxFullError extends SyncError {
  constructor(maxPending: number) {
    super(
      'outbox-full',
      `The outbox already holds ${maxPending} unsent writes (maxPending). Nothing was queued: ` +
        'wait for flushPending(), discard failed writes, or raise maxPending.',
    );
    this.name = 'OutboxFullError';
  }
}

export function isSyncError(value: unknown): value is SyncError {
  return value instanceof SyncError;
}

/** Wraps anything thrown into a SyncError of the given kind, keeping SyncErrors as they are. */
export function toSyncError(value: unknown, kind: SyncErrorKind, message: string): SyncError {
  if (value instanceof SyncError) return value;
  return new SyncError(kind, `${message}: ${value instanceof Error ? value.message : String(value)}`, {
    cause: value,
  });
}

/** What went wrong, for a message. undici says only "fetch failed": its cause holds ECONNREFUSED, … */
export function describeError(value: unknown): string {
  if (!(value instanceof Error)) return String(value);
  const cause: unknown = value.cause;
  const detail = cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : undefined;
  return detail ? `${value.message} (${detail})` : value.message;
}
