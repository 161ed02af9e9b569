import type { SyncError } from '../core/errors.js';
import type { HealthMonitor, HealthRequest } from '../core/health.js';
import type { SyncConnector } from '../core/types.js';

/**
 * Tells health how each push and pull went, in the same task (DESIGN §6). After a request that
 * could not reach the server, one ping at a time asks: is the server down, or are we cut off?
 * (DESIGN §4: failed pings give `offline`; a ping's success clears only that.) The monitor
 * marks a failure `offline` when the page is offline.
 */
export function createRequestReporter(options: { connector: SyncConnector; health: HealthMonitor; active(): boolean }) {
  const { health } = options;
  let probing = false;
  const succeeded = (request: HealthRequest) => health.dispatch({ type: 'request-succeeded', request });
  const failed = (request: HealthRequest, error: unknown) => health.dispatch({ type: 'request-failed', request, error });

  function probe() {
    if (probing || !options.active()) return;
    probing = true;
    options.connector
      .ping()
      .then(
        () => succeeded('ping'),
        (caught: unknown) => failed('ping', caught),
      )
      .finally(() => {
        probing = false;
      });
  }

  return function report(request: 'push' | 'pull', error: SyncError | null) {
    if (!error) return succeeded(request);
    failed(request, error);
    if (error.kind === 'network' || error.kind === 'timeout') probe();
  };
}
