import { createMemoryStore } from '../../src/server/memoryStore.js';
import { describeCursorOrder, describeStoreConformance } from './storeConformance.js';

describeStoreConformance('memory', {
  shared: false,
  open: (options) => Promise.resolve(createMemoryStore(options)),
});

describeCursorOrder('memory', () => Promise.resolve({ store: createMemoryStore(), dispose: () => Promise.resolve() }));
