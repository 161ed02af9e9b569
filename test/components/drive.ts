import { act } from '@testing-library/react';
import type { DegradedReason, SyncState } from 'syncline';
import { createFullStorage } from 'syncline/testing';
import { userMessage } from '../react/harness.js';
import type { Harness, HarnessOptions } from '../react/harness.js';

/** Moves the real client (thread `t1`) into each SyncState through the fake backend. */
export const driveBadge: Record<SyncState, (h: Harness) => Promise<void>> = {
  unknown: async () => {},
  // The outbox sends one push at a time: t1's write waits while a slow push for t2 is out.
  pending: async (h) => {
    h.fake.setFaults({ latencyMs: 1000 });
    await act(async () => void h.client.mutate('t2', 'addMessage', userMessage()));
    await act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
  },
  syncing: async (h) => {
    h.fake.setFaults({ latencyMs: 1000 });
    await act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
    await act(() => h.clock.advanceAsync(200));
  },
  synced: async (h) => {
    await act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
    await act(() => h.clock.advanceAsync(1000));
  },
  offline: async (h) => {
    await act(async () => {
      h.fake.setFaults({ offline: true });
      h.env.setOnline(false);
      h.client.mutate('t1', 'addMessage', userMessage());
    });
  },
  error: async (h) => {
    await act(async () => {
      h.client.mutate('t1', 'editMessage', { messageId: 'gone', content: 'x' });
      await h.clock.advanceAsync(500);
    });
  },
};

/** The reasons the client reports ('push-unavailable' is only the old name of 'stream-unavailable'). */
export type ReportedReason = Exclude<DegradedReason, 'push-unavailable'>;

/** The faults (and harness options) that make health degraded for each reason. */
export const degradedBy: Record<ReportedReason, HarnessOptions> = {
  offline: { faults: { offline: true }, online: false },
  'server-errors': { faults: { errorRate: 1 } },
  'stream-unavailable': { faults: { stream: { refuse: true } } },
  stale: { faults: { stream: { stall: true } }, client: { liveness: { staleAfterMs: 1000 } } },
  // A real server refuses the stream too; the fake's errorRate hits push and pull only.
  auth: { faults: { errorRate: 1, errorStatus: 401, stream: { refuse: true } } },
  fenced: { faults: { errorRate: 1, errorStatus: 409 } },
  storage: { client: { storage: createFullStorage() } },
};

