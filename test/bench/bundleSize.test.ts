import { describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_BYTES, measureMetrics, measureProtocolV2, measureSyncline, METRICS_BUDGET_BYTES } from '../../bench/size.js';

describe('bundle size', () => {
  // Bytes, not time: the same lockfile builds the same bundle, so this is a deterministic count.
  it('syncline + /react + /components stay within the size budget (min+gzip, peers external)', async () => {
    const { gzip } = await measureSyncline();
    expect(gzip).toBeGreaterThan(0);
    expect(gzip, `the bundle is ${gzip} bytes; see docs/design-changes.md §7 before raising the budget`).toBeLessThanOrEqual(
      BUNDLE_BUDGET_BYTES,
    );
  }, 60_000);

  it('the three main entries hold nothing of syncline/devtools nor of the metrics collector (syncline/metrics)', async () => {
    const { modules } = await measureSyncline();
    expect(modules.length).toBeGreaterThan(10);
    expect(modules.filter((id) => /[\\/]src[\\/](devtools|metrics)[\\/]/.test(id))).toEqual([]);
  }, 60_000);

  it('protocol v2 puts only its op applier in the main entries: the server\'s differ stays on the server', async () => {
    const { serverCodeInMain, client } = await measureProtocolV2();
    expect(serverCodeInMain).toEqual([]);
    expect(client.gzip).toBeGreaterThan(0);
  }, 60_000);

  it('metrics add at most 1 kB to the three main entries (their hook points and the trace; docs/metrics.md)', async () => {
    const { mainEntries } = await measureMetrics();
    expect(mainEntries).toBeGreaterThan(0); // the stubs took effect
    expect(mainEntries, `metrics add ${mainEntries} bytes to the main entries`).toBeLessThanOrEqual(METRICS_BUDGET_BYTES);
  }, 120_000);
});
