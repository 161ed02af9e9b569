import type { Environment } from '../core/environment.js';
import type { SyncError } from '../core/errors.js';
import type { HealthMonitor } from '../core/health.js';
import type { SyncConnector } from '../core/types.js';

/**
 * Tells health how each push and pull went, in the same task (DESIGN §6). After a request that
 * could not reach the server, one ping at a time asks: is the server down, or are we cut off?
 * (DESIGN §4: failed pings give `offline`; a ping's success clears only that.)
 */
export function createRequestReporter(options: {
  connector: SyncConnector;
  health: HealthMonitor;
  environment: Environment;
  active(): boolean;
}) {
  const { connector, health, environment } = options;
  let probing = false;

  function probe() {
    if (probing || !options.active()) return;
    probing = true;
    connector
      .ping()
      .then(
        () => health.dispatch({ type: 'request-succeeded', request: 'ping' }),
        (caught: unknown) =>
          health.dispatch({ type: 'request-failed', request: 'ping', error: caught, offline: !environment.isOnline() }),
      )
      .finally(() => {
        probing = false;
      });
  }

  return function report(request: 'push' | 'pull', error: SyncError | null) {
    if (!error) {
      health.dispatch({ type: 'request-succeeded', request });
      return;
    }
    health.dispatch({ type: 'request-failed', request, error, offline: !environment.isOnline() });
    if (error.kind === 'network' || error.kind === 'timeout') probe();
  };
}
