'use client';
import { createContext } from 'react';
import type { AnySyncClient } from '../client/types.js';

/** The client the hooks read. `null` outside a `SyncProvider`. */
export const SyncClientContext = createContext<AnySyncClient | null>(null);
SyncClientContext.displayName = 'SyncClientContext';
