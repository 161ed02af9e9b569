import type { Clock } from '../platform/clock.js';
import type { Environment } from '../platform/environment.js';
import type { OutboxRelay } from '../outbox/outbox.js';
import type { PendingWrite } from '../model/types.js';
import type { ClientHealth } from './clientHealth.js';
import type { CopiedBook } from './copiedBook.js';
import type { Interest } from './interest.js';
import type { LocalCopy } from './localCopy.js';
import type { ClientTrace } from './metrics/clientTrace.js';
import type { TabLink } from './tabs.js';
import type { Upcalls } from './upcalls.js';

/** Whether the client was started (and not stopped since) or disposed: read by several parts. */
export interface ClientLife {
  started: boolean;
  disposed: boolean;
}

/**
 * The parts built first (docs/architecture.md, "Wiring"), gathered once: the later parts are
 * built from this and from ClientWired (src/client/clientWired.ts), each taking what it reads.
 */
export interface ClientCore {
  clock: Clock;
  environment: Environment;
  namespace: string;
  traced: ClientTrace;
  life: ClientLife;
  up: Upcalls;
  /** The tab link (undefined alone); `role` is it, or the lone client's relay. */
  tabs: TabLink | undefined;
  role: OutboxRelay;
  book: CopiedBook;
  copy: LocalCopy | undefined;
  interest: Interest;
  health: ClientHealth;
  /** This tab's writes in play for one thread. */
  pendingOf(threadId: string): PendingWrite[];
  /** Rebases each thread these writes touched, once: a refused batch of 50 is one rebase. */
  recompute(writes: PendingWrite[]): void;
}
