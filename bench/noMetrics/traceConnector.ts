import type { SyncConnector } from '../../src/protocol/wire.js';

/** The connector untouched (see ./clientTrace.ts). */
export const traceConnector = (connector: SyncConnector): SyncConnector => connector;
