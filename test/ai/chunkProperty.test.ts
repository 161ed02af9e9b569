import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { reference, step, stored, valid } from './chunks.js';

describe('applyChunk against the AI SDK', () => {
  it('for random valid chunk sequences, the stored reply equals what readUIMessageStream yields', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const chunks = valid(steps);
        expect(stored(chunks)).toEqual(await reference(chunks));
      }),
      { numRuns: 200 },
    );
  });
});
