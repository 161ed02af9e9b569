import { act, cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createRef } from 'react';
import { PendingWriteIndicator } from 'syncline/components';
import type { PendingWriteIndicatorLabels, PendingWriteIndicatorProps } from 'syncline/components';
import { SyncProvider } from 'syncline/react';
import { createMemoryStorage } from 'syncline';
import { createHarness, harnessPerTest, userMessage } from '../react/harness.js';
import type { Harness } from '../react/harness.js';

const XSS = '<img src=x onerror=alert(1)>';

let h: Harness;
harnessPerTest((harness) => (h = harness));

function setup(props: PendingWriteIndicatorProps = {}) {
  const view = render(
    <SyncProvider client={h.client}>
      <PendingWriteIndicator threadId="t1" {...props} />
    </SyncProvider>,
  );
  return { ...view, root: () => view.container.firstElementChild as HTMLElement };
}
const write = () => act(async () => void h.client.mutate('t1', 'addMessage', userMessage()));
/** A write the server rejects: editing a message it does not have. Its error quotes the id. */
const failingWrite = (messageId = 'gone') =>
  act(async () => {
    h.client.mutate('t1', 'editMessage', { messageId, content: 'x' });
    await h.clock.advanceAsync(500);
  });

describe('PendingWriteIndicator', () => {
  test('empty: the root stays, hidden, data-state="empty"', async () => {
    const { root, container } = setup();
    await act(() => h.clock.advanceAsync(500));
    expect(container.childElementCount).toBe(1);
    expect(root().getAttribute('data-state')).toBe('empty');
    expect(root().hidden).toBe(true);
    expect(root().textContent).toBe('');
  });

  test('pending: counts the writes waiting, then empties once they are acknowledged', async () => {
    const { root } = setup();
    await write();
    await write();
    expect(root().getAttribute('data-state')).toBe('pending');
    expect(root().textContent).toBe('2 changes waiting to sync');
    await act(() => h.clock.advanceAsync(1000));
    expect(root().getAttribute('data-state')).toBe('empty');
  });

  test('unsaved: says which waiting writes only this tab holds, until the device stores them again', async () => {
    const storage = createMemoryStorage();
    const putWrites = storage.putWrites.bind(storage);
    let full = true;
    storage.putWrites = (ns, writes) =>
      full ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError')) : putWrites(ns, writes);
    const mine = createHarness({ faults: { latencyMs: 5000 }, client: { storage } });
    h = mine;
    try {
      const { root } = setup();
      await write();
      await write();
      expect(root().getAttribute('data-state')).toBe('pending');
      expect(root().textContent).toBe('2 changes waiting to sync2 changes are only in this tab: closing it would lose them');
      full = false;
      await write();
      expect(root().textContent).toBe('3 changes waiting to sync');
    } finally {
      cleanup();
      mine.dispose();
    }
  });

  test('failed: lists each failed write with the server error, as text', async () => {
    const { root } = setup();
    await failingWrite(XSS);
    await write();
    expect(root().getAttribute('data-state')).toBe('failed');
    const items = within(root()).getAllByRole('listitem');
    expect(items).toHaveLength(1);
    expect(items[0]!.textContent).toContain('Message edit');
    expect(items[0]!.textContent).toContain(XSS);
    expect(root().querySelector('img')).toBeNull();
    expect(root().textContent).toContain('1 change waiting to sync');
    expect(root().textContent).toContain('1 change could not be saved');
    // Each button is described by the error it acts on.
    const retry = within(items[0]!).getByRole('button', { name: 'Retry' });
    const description = document.getElementById(retry.getAttribute('aria-describedby')!);
    expect(description?.textContent).toContain(XSS);
  });

  test('Retry and Discard work from the keyboard', async () => {
    const { root } = setup();
    await failingWrite();
    const user = userEvent.setup();
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Retry' }));
    const pushes = h.fake.stats().requests.push;
    await user.keyboard('{Enter}');
    // The retried write left the list with its button: focus stays in the indicator.
    expect(root().contains(document.activeElement)).toBe(true);
    await act(() => h.clock.advanceAsync(500));
    expect(h.fake.stats().requests.push).toBe(pushes + 1);
    expect(root().getAttribute('data-state')).toBe('failed');

    await user.tab();
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Discard' }));
    await user.keyboard('{Enter}');
    expect(h.client.getPendingItems('t1')).toEqual([]);
    expect(root().getAttribute('data-state')).toBe('empty');
  });

  test('onRetry and onDiscard run first and can prevent the action', async () => {
    const onRetry = vi.fn((_w, e: { preventDefault(): void }) => e.preventDefault());
    const onDiscard = vi.fn((_w, e: { preventDefault(): void }) => e.preventDefault());
    setup({ onRetry, onDiscard });
    await failingWrite();
    const [failed] = h.client.getPendingItems('t1');
    await act(async () => screen.getByRole('button', { name: 'Discard' }).click());
    await act(async () => screen.getByRole('button', { name: 'Retry' }).click());
    expect(onDiscard).toHaveBeenCalledWith(failed, expect.anything());
    expect(onRetry).toHaveBeenCalledWith(failed, expect.anything());
    expect(h.client.getPendingItems('t1')).toEqual([failed]);
  });

  test('forwards its ref, spreads rest props, merges className and style', () => {
    const ref = createRef<HTMLDivElement>();
    const { root } = setup({
      ref,
      id: 'p',
      className: 'mine',
      style: { padding: 2 },
      'aria-label': 'Unsaved changes',
    } as PendingWriteIndicatorProps);
    expect(ref.current).toBe(root());
    expect(root().id).toBe('p');
    expect(root().className).toBe('syncline-pending mine');
    expect(root().style.padding).toBe('2px');
    expect(root().getAttribute('aria-label')).toBe('Unsaved changes');
  });

  test('labels replace every string; unstyled drops the syncline classes', async () => {
    const labels: PendingWriteIndicatorLabels = {
      pending: (n) => `P${n}`,
      unsaved: (n) => `S${n}`,
      failed: (n) => `F${n}`,
      write: (w) => `W:${w.name}`,
      unknownError: 'U',
      retry: 'R',
      discard: 'D',
    };
    const { root, container } = setup({ labels, unstyled: true, className: 'mine' });
    await failingWrite();
    await write();
    expect(root().textContent).toMatch(/^P1F1W:editMessage.*RD$/);
    expect(root().className).toBe('mine');
    expect(container.innerHTML).not.toContain('syncline-');
  });

  test('without a threadId it covers every thread', async () => {
    render(
      <SyncProvider client={h.client}>
        <PendingWriteIndicator data-testid="all" />
      </SyncProvider>,
    );
    await act(async () => {
      h.client.mutate('a', 'addMessage', userMessage());
      h.client.mutate('b', 'addMessage', userMessage());
    });
    expect(screen.getByTestId('all').textContent).toBe('2 changes waiting to sync');
  });
});
