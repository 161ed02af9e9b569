import { describe, expect, it } from 'vitest';
import { SDK } from './chunks.js';

// The chunk mapping tests run against AI SDK 7 (`unit`, the main install) and AI SDK 6 (`ai6`,
// test/ai6): this says which one a run resolved, so an alias that stopped working fails loudly
// instead of testing 7 twice.
describe('the AI SDK under test', () => {
  it(`is the major this project asked for (${process.env.SYNCLINE_AI_SDK ?? '7'})`, () => {
    expect(SDK).toBe(Number(process.env.SYNCLINE_AI_SDK ?? 7));
  });
});
