import { describe, expect, it } from 'vitest';
import { createFakeClock, settle } from 'syncline/testing';
import type { Faults } from 'syncline/server';
import { createFaultController } from '../../../src/server/dev/faults.js';
import { createFrameSplitter } from '../../../src/server/dev/sseFrames.js';
import { injectStreamFaults } from '../../../src/server/dev/streamFaults.js';

/*
 * The dev server's stream faults act on an event stream from outside it
 * (src/server/dev/streamFaults.ts): here on a stream whose frames the test writes, read as a
 * client would, on a fake clock.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const event = (id: number) => `id: ${id}\nevent: thread\ndata: {"id":"t${id}"}\n\n`;

function rig(faults: Faults = {}) {
  const clock = createFakeClock();
  const controller = createFaultController(faults, () => clock.random());
  let source!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const inner = new ReadableStream<Uint8Array>({
    start: (c) => void (source = c),
    cancel: () => void (cancelled = true),
  });
  const reader = injectStreamFaults(inner, controller, clock).getReader();
  let text = '';
  let state: 'open' | 'closed' | 'error' = 'open';
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return void (state = 'closed');
        text += decoder.decode(value);
      }
    } catch {
      state = 'error';
    }
  })();
  return {
    clock,
    faults: controller,
    write: async (frames: string) => {
      source.enqueue(encoder.encode(frames));
      await settle();
    },
    end: async () => {
      source.close();
      await settle();
    },
    text: () => text,
    ids: () => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])),
    state: () => state,
    cancelled: () => cancelled,
  };
}

describe('stream faults, applied from outside the event stream', () => {
  it('without faults every frame passes as it came', async () => {
    const s = rig();
    const frames = `retry: 1000\n\n: ka\n\n${event(1)}${event(2)}`;
    await s.write(frames);
    await s.end();
    expect(s.text()).toBe(frames);
    expect(s.state()).toBe('closed');
  });

  it('stall: only the retry hint goes out; the held events follow, in order, once it is lifted', async () => {
    const s = rig({ stream: { stall: true } });
    await s.write('retry: 1000\n\n: ka\n\n');
    await s.write(event(1) + ': ka\n\n' + event(2));
    expect(s.text()).toBe('retry: 1000\n\n');
    s.faults.set({});
    await settle();
    expect(s.ids()).toEqual([1, 2]);
    await s.write(': ka\n\n');
    expect(s.text().endsWith(': ka\n\n')).toBe(true);
  });

  it('dropAfter: N events, then the connection breaks and the stream underneath is cancelled', async () => {
    const s = rig({ stream: { dropAfter: 2 } });
    await s.write(event(1) + event(2) + event(3));
    expect(s.ids()).toEqual([1, 2]);
    expect(s.state()).toBe('error');
    expect(s.cancelled()).toBe(true);
  });

  it('dropAfter 0: the stream opens (its first frames go out) and breaks at once', async () => {
    const s = rig({ stream: { dropAfter: 0 } });
    await s.write('retry: 1000\n\n: ka\n\n');
    expect(s.text()).toBe('retry: 1000\n\n: ka\n\n');
    expect(s.state()).toBe('error');
  });

  it('duplicateRate sends an event twice with its id; reorderRate holds one until the next frame', async () => {
    const s = rig({ stream: { duplicateRate: 1 } });
    await s.write(event(1));
    expect(s.ids()).toEqual([1, 1]);
    const r = rig({ stream: { reorderRate: 1 } });
    await r.write(event(1) + event(2));
    expect(r.ids()).toEqual([2, 1]);
    await r.write(event(3));
    expect(r.ids()).toEqual([2, 1]);
    await r.write(': ka\n\n');
    expect(r.ids()).toEqual([2, 1, 3]); // late, never lost: the keepalive lets it out
  });

  it('keepaliveMs replaces the stream\'s keepalives; 0 sends none', async () => {
    const s = rig({ stream: { keepaliveMs: 100 } });
    await s.write('retry: 1000\n\n: ka\n\n');
    await s.write(': ka\n\n: ka\n\n');
    expect(s.text()).toBe('retry: 1000\n\n: ka\n\n');
    await s.clock.advanceAsync(250);
    expect(s.text().match(/: ka/g)).toHaveLength(3);
    s.faults.set({ stream: { keepaliveMs: 0 } });
    await s.clock.advanceAsync(500);
    await s.write(': ka\n\n');
    expect(s.text().match(/: ka/g)).toHaveLength(3);
  });

  it('offline cuts an open stream at once', async () => {
    const s = rig();
    await s.write(event(1));
    s.faults.set({ offline: true });
    await settle();
    expect(s.state()).toBe('error');
    expect(s.cancelled()).toBe(true);
  });
});

describe('createFrameSplitter', () => {
  it('finds frames across chunk boundaries, the blank line split between two chunks included', () => {
    const frames: [string, string][] = [];
    const split = createFrameSplitter((kind, parts) => frames.push([kind, parts.map((p) => decoder.decode(p)).join('')]));
    for (const piece of ['retry: 10\n\n: k', 'a\n\nid: 1\nevent: thread\ndata: {"a":1}\n', '\nid: 2\nevent: delta\ndata: {}\n\n']) {
      split(encoder.encode(piece));
    }
    expect(frames).toEqual([
      ['hint', 'retry: 10\n\n'],
      ['keepalive', ': ka\n\n'],
      ['event', 'id: 1\nevent: thread\ndata: {"a":1}\n\n'],
      ['event', 'id: 2\nevent: delta\ndata: {}\n\n'],
    ]);
  });
});
