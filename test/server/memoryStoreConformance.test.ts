import { createMemoryStore } from '../../src/server/memoryStore.js';
import { describeStoreConformance } from './storeConformance.js';

describeStoreConformance('memory', {
  shared: false,
  open: (options) => Promise.resolve(createMemoryStore(options)),
});
