import type { ClientTrace } from '../../src/client/metrics/clientTrace.js';

/**
 * The client's trace with nothing in it, for bench/size.ts: the main entries built with this and
 * ./traceConnector.ts in place of the real ones are the bytes the metrics' hook points cost.
 */
export function createClientTrace(): ClientTrace {
  const none = () => undefined;
  return {
    trace: { emit: none, observe: () => none, observed: () => false },
    depth: none,
    read: () => {
      throw new Error('no metrics in this build');
    },
    queued: none,
    settled: none,
    retry: none,
    health: none,
    role: none,
  };
}
