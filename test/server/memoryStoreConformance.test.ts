import { createMemoryStore } from '../../src/server/memoryStore.js';
import { builtinMutators } from '../../src/model/mutators.js';
import { describeCursorOrder, describeRetention, describeStoreConformance } from './storeConformance.js';
import { describeOpsConformance } from './opsConformance.js';

describeOpsConformance('memory', () => Promise.resolve(createMemoryStore()), 100);
describeStoreConformance('memory', {
  shared: false,
  open: (options) => Promise.resolve(createMemoryStore(options)),
});

const fresh = (options = {}) => Promise.resolve({ store: createMemoryStore(options), dispose: () => Promise.resolve() });
describeCursorOrder('memory', fresh);
describeRetention('memory', fresh);

describe('memory store: maxIdempotencyResults', () => {
  it('keeps at most that many first results: the oldest go first and their re-sends answer expired', async () => {
    const store = createMemoryStore({ maxIdempotencyResults: 3 });
    const add = (seq: number) => ({ seq, id: `w${seq}`, threadId: 'cap', name: 'setTitle', args: { title: `${seq}` }, createdAt: Date.now() });
    for (let seq = 1; seq <= 5; seq++) await store.push({ clientId: 'c', epoch: 1, mutations: [add(seq)] }, builtinMutators);
    // The next push prunes before it runs: results of seqs 3, 4, 5 are the ones kept.
    const again = await store.push({ clientId: 'c', epoch: 1, mutations: [1, 2, 3, 4, 5].map(add) }, builtinMutators);
    expect(again.response.results.map((r) => (r.status === 'rejected' ? r.error.code : r.status))).toEqual([
      'expired',
      'expired',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect((await store.thread('cap'))!.v).toBe(5);
  });
});
