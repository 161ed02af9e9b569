import type { Clock } from '../core/clock.js';
import { createHealthMonitor, sameHealth } from '../core/health.js';
import type { HealthStatus } from '../core/types.js';

/**
 * The health monitor as the store sees it. Keepalives move `lastFrameAt` every few seconds; that
 * alone is not worth waking the UI for, so it rides along with the next real change
 * (`monitor.get()` is always exact).
 */
export function createPublishedHealth(options: {
  clock: Clock;
  publish(): void;
  onDegraded?(health: HealthStatus): void;
  onRecovered?(health: HealthStatus): void;
}) {
  let published: HealthStatus | null = null;
  const monitor = createHealthMonitor({
    clock: options.clock,
    onChange: (h) => {
      if (!published || !sameHealth({ ...h, lastFrameAt: published.lastFrameAt }, published)) options.publish();
    },
    onDegraded: (h) => options.onDegraded?.(h),
    onRecovered: (h) => options.onRecovered?.(h),
  });
  return {
    monitor,
    /** What the store shows now; remembered as the last published. */
    snapshot: () => (published = monitor.get()),
  };
}
