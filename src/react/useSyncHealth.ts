'use client';
import type { HealthStatus } from '../model/types.js';
import type { SyncStoreState } from '../client/types.js';
import { useSyncSelector } from './useSyncSelector.js';

const selectHealth = (s: SyncStoreState) => s.health;

/** The connection's health: transport, degraded or not and why, when it last heard the server. */
export function useSyncHealth(): HealthStatus {
  return useSyncSelector(selectHealth);
}
