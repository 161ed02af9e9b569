import type { Clock } from '../platform/clock.js';
import type { Environment } from '../platform/environment.js';
import { createHealthMonitor, sameHealth, type HealthMonitor } from '../liveness/health.js';
import type { HealthStatus } from '../model/types.js';

/**
 * The health monitor as the store sees it. Keepalives move `lastFrameAt` every few seconds; that
 * alone is not worth waking the UI for, so it rides along with the next real change
 * (`monitor.get()` is always exact).
 */
export interface PublishedHealth {
  monitor: HealthMonitor;
  /** What the store shows now; remembered as the last published. */
  snapshot(): HealthStatus;
}

export function createPublishedHealth(options: {
  clock: Clock;
  /** Marks failed requests `offline` while the page is offline. */
  environment: Environment;
  /** The health changed in a way worth showing. */
  publish(health: HealthStatus): void;
  onDegraded?(health: HealthStatus): void;
  onRecovered?(health: HealthStatus): void;
}): PublishedHealth {
  const { clock, environment, onDegraded, onRecovered } = options;
  let published: HealthStatus | null = null;
  const monitor = createHealthMonitor({
    clock,
    environment,
    onDegraded,
    onRecovered,
    onChange: (h) => {
      if (!published || !sameHealth({ ...h, lastFrameAt: published.lastFrameAt }, published)) options.publish(h);
    },
  });
  return {
    monitor,
    /** What the store shows now; remembered as the last published. */
    snapshot: () => (published = monitor.get()),
  };
}
