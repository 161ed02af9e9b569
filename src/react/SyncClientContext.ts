'use client';
import { createContext } from 'react';
import type { SyncClient } from '../store/types.js';

/** The client the hooks read. `null` outside a `SyncProvider`. */
export const SyncClientContext = createContext<SyncClient | null>(null);
SyncClientContext.displayName = 'SyncClientContext';
