import { cleanup } from '@testing-library/react';
import type { Mutator, SyncClientOptions } from 'syncline';
import type { Faults } from 'syncline/testing';
import { createRig, type Rig } from '../helpers.js';

export { userMessage } from '../helpers.js';

/** The shared rig (test/helpers.ts), not started: `SyncProvider` starts it. */
export type Harness = Rig;

export interface HarnessOptions {
  faults?: Faults;
  online?: boolean;
  /** Same mutators on the client and the server. */
  mutators?: Record<string, Mutator>;
  client?: Partial<SyncClientOptions>;
}

export function createHarness(options: HarnessOptions = {}): Harness {
  const { faults, mutators, online } = options;
  return createRig({ mutators, ...options.client }, { backend: { faults, mutators }, online });
}

/**
 * A fresh harness for each test of the file, handed to `use`. After each test the components
 * unmount before the client stops, so no update lands outside act().
 */
export function harnessPerTest(use: (harness: Harness) => void, options?: HarnessOptions): void {
  let current: Harness | undefined;
  beforeEach(() => use((current = createHarness(options))));
  afterEach(() => {
    cleanup();
    current?.dispose();
    current = undefined;
  });
}
