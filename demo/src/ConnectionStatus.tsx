import type { HealthStatus } from 'syncline';
import { useSyncHealth } from 'syncline/react';

const labels: Record<HealthStatus['state'], string> = {
  stopped: 'Stopped',
  connecting: 'Connecting…',
  live: 'Live updates',
  polling: 'Checking every few seconds',
  offline: 'Offline',
};

/** How the page hears from the server right now: the live stream, polling, or not at all. */
export function ConnectionStatus() {
  const health = useSyncHealth();
  return (
    <span className="connection" data-state={health.state} data-transport={health.transport ?? 'none'}>
      {labels[health.state]}
    </span>
  );
}
