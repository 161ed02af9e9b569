import { act, render } from '@testing-library/react';
import { SyncProvider, useUnloadGuard } from 'syncline/react';
import { createHarness } from './harness.js';

function Guard({ enabled }: { enabled: boolean }) {
  useUnloadGuard(enabled);
  return null;
}

const unload = () => {
  const event = new Event('beforeunload', { cancelable: true });
  dispatchEvent(event);
  return event.defaultPrevented;
};

describe('useUnloadGuard', () => {
  it('holds the page only while writes are unacknowledged, and only when enabled', async () => {
    const h = createHarness({ faults: { blockPushes: true } });
    const view = render(<SyncProvider client={h.client}><Guard enabled /></SyncProvider>);
    expect(unload()).toBe(false);
    await act(async () => void h.client.mutate('t1', 'setTitle', { title: 'unsent' }));
    expect(unload()).toBe(true);

    view.rerender(<SyncProvider client={h.client}><Guard enabled={false} /></SyncProvider>);
    expect(unload()).toBe(false);

    view.rerender(<SyncProvider client={h.client}><Guard enabled /></SyncProvider>);
    h.fake.setFaults({});
    await act(() => h.clock.advanceAsync(60_000));
    expect(h.client.getPendingItems()).toEqual([]);
    expect(unload()).toBe(false);
    view.unmount();
    h.dispose();
  });
});
