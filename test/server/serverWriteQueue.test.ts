import { createServerWriteQueue, MAX_WRITES_PER_COMMIT } from '../../src/server/serverWriteQueue.js';
import type { QueuedWrite } from '../../src/server/serverWriteQueue.js';

const write = (i: number): QueuedWrite => ({ threadId: 't', name: 'appendDelta', args: { i }, mutators: {} });

describe('serverWrite queue', () => {
  it('group-commits calls made while a transaction runs, in call order, each caller with its own result', async () => {
    const commits: number[][] = [];
    const queue = createServerWriteQueue(async (writes) => {
      await Promise.resolve();
      commits.push(writes.map((w) => (w.args as { i: number }).i));
      return writes.map((w) => ({ result: { status: 'applied', v: (w.args as { i: number }).i }, events: [] }));
    });
    const results = await Promise.all(Array.from({ length: 2000 }, (_, i) => queue(write(i))));
    expect(results.map((r) => (r.result.status === 'applied' ? r.result.v : -1))).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(commits.flat()).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    // The first call commits alone; the rest wait and go in transactions of at most the cap.
    expect(commits[0]).toEqual([0]);
    expect(commits.length).toBe(1 + Math.ceil(1999 / MAX_WRITES_PER_COMMIT));
  });

  it('rejects every caller of a failed transaction and goes on with the next calls', async () => {
    let calls = 0;
    const queue = createServerWriteQueue((writes) => {
      calls++;
      if (calls === 2) return Promise.reject(new Error('database gone'));
      return Promise.resolve(writes.map(() => ({ result: { status: 'applied', v: calls }, events: [] })));
    });
    const first = queue(write(0));
    const failed = [queue(write(1)), queue(write(2))];
    await expect(first).resolves.toMatchObject({ result: { v: 1 } });
    await Promise.all(failed.map((p) => expect(p).rejects.toThrow('database gone')));
    await expect(queue(write(3))).resolves.toMatchObject({ result: { v: 3 } });
  });
});
