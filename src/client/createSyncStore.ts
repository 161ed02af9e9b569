import { createStore } from 'zustand/vanilla';
import type { HealthStatus } from '../model/types.js';
import { emptyRecord } from './idRecord.js';
import { UNKNOWN_STATUS } from './deriveStatus.js';
import type { UntypedStore } from './types.js';

/** The vanilla store the client feeds. Only the client writes to it. */
export function createSyncStore(health: HealthStatus): UntypedStore {
  return createStore(() => ({
    threads: emptyRecord(),
    pending: [],
    pendingByThread: emptyRecord(),
    status: emptyRecord(),
    clientStatus: UNKNOWN_STATUS,
    health,
  }));
}
