import { describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_BYTES, measureSyncline } from '../../bench/size.js';

describe('bundle size', () => {
  // Bytes, not time: the same lockfile builds the same bundle, so this is a deterministic count.
  it('syncline + /react + /components stay within the size budget (min+gzip, peers external)', async () => {
    const { gzip } = await measureSyncline();
    expect(gzip).toBeGreaterThan(0);
    expect(gzip, `the bundle is ${gzip} bytes; see docs/design-changes.md §7 before raising the budget`).toBeLessThanOrEqual(
      BUNDLE_BUDGET_BYTES,
    );
  }, 60_000);
});
