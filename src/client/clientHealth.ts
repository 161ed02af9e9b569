import type { SyncError } from '../model/errors.js';
import { announceTransition, type HealthMonitor } from '../liveness/health.js';
import type { HealthStatus } from '../model/types.js';
import type { Environment } from '../platform/environment.js';
import type { Clock } from '../platform/clock.js';
import type { ClientTrace } from './metrics/clientTrace.js';
import { createPublishedHealth } from './publishedHealth.js';
import type { TabLink } from './tabs.js';

/** The client's health (docs/liveness.md): its own monitor, or the leader's while following. */
export interface ClientHealth {
  /** The monitor this tab's parts report to (only the leader's, or a lone client's, run). */
  monitor: HealthMonitor;
  /** What `getHealthStatus()` says: the leader's health while following, this tab's otherwise. */
  now(): HealthStatus;
  /** What the store shows now (src/client/commit.ts). */
  shown(): HealthStatus;
  /** Following: the leader's health, with `onDegraded` / `onRecovered` as its transitions come. */
  mirror(next: HealthStatus): void;
  /** Leading, alone or stopped: this tab's own health again. */
  own(): void;
  /** The outbox's or the copy's storage refuses (or, with null, stores again). */
  storageFailed(part: 'outbox' | 'copy', error: SyncError | null): void;
}

export function createClientHealth(ctx: {
  clock: Clock;
  environment: Environment;
  traced: ClientTrace;
  tabs: TabLink | undefined;
  commit(): void;
  onDegraded?(health: HealthStatus): void;
  onRecovered?(health: HealthStatus): void;
}): ClientHealth {
  const { traced, tabs, onDegraded, onRecovered } = ctx;
  const published = createPublishedHealth({
    clock: ctx.clock,
    environment: ctx.environment,
    onDegraded,
    onRecovered,
    publish: (health) => {
      traced.health(health); // metrics hook
      ctx.commit();
      tabs?.tell({ t: 'health', health });
    },
  });
  const { monitor } = published;
  /** A follower shows the leader's health (docs/tabs.md); null while leading or alone. */
  let mirrored: HealthStatus | null = null;
  const now = () => mirrored ?? monitor.get();

  /** The outbox's or the copy's storage refuses: shown until both store again (docs/outbox.md). */
  const storageErrors: Record<'outbox' | 'copy', SyncError | null> = { outbox: null, copy: null };
  let warnedStorage = false;

  return {
    monitor,
    now,
    shown: () => mirrored ?? published.snapshot(),
    mirror(next) {
      const was = now();
      traced.health(next); // metrics hook
      mirrored = next;
      announceTransition(was, next, { onDegraded, onRecovered });
      ctx.commit();
    },
    own() {
      mirrored = null;
    },
    storageFailed(part, error) {
      storageErrors[part] = error;
      monitor.dispatch({ type: 'storage', failing: storageErrors.outbox !== null || storageErrors.copy !== null });
      if (!error || warnedStorage) return;
      warnedStorage = true;
      console.error(`[syncline] ${error.message}`);
    },
  };
}
