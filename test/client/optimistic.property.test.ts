import fc from 'fast-check';
import { builtinMutators, createMemoryStorage, createSyncClient, type PendingWrite, type SyncClient } from 'syncline';
import { createFakeBackend, createFakeClock, createFakeEnvironment } from 'syncline/testing';
import { rebase } from '../../src/model/rebase.js';

const THREADS = ['t1', 't2'];

type Op =
  | { kind: 'add'; who: 'a' | 'b'; thread: number; n: number }
  | { kind: 'edit'; who: 'a' | 'b'; thread: number; n: number; text: string }
  | { kind: 'delete'; who: 'a' | 'b'; thread: number; n: number }
  | { kind: 'append'; who: 'a' | 'b'; thread: number; n: number; text: string }
  | { kind: 'title'; who: 'a' | 'b'; thread: number; text: string }
  | { kind: 'advance'; ms: number }
  | { kind: 'faults'; errorRate: number; lostAnswerRate: number; latencyMs: number; offline: boolean; stream: boolean };

const who = fc.constantFrom<'a' | 'b'>('a', 'a', 'b');
const thread = fc.integer({ min: 0, max: THREADS.length - 1 });
const n = fc.integer({ min: 0, max: 12 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), who, thread, n }),
  fc.record({ kind: fc.constant('edit' as const), who, thread, n, text: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant('delete' as const), who, thread, n }),
  fc.record({ kind: fc.constant('append' as const), who, thread, n, text: fc.string({ minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('title' as const), who, thread, text: fc.string({ maxLength: 4 }) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 60 }) }),
  fc.record({
    kind: fc.constant('faults' as const),
    errorRate: fc.constantFrom(0, 0.3, 1),
    lostAnswerRate: fc.constantFrom(0, 0.3),
    latencyMs: fc.constantFrom(0, 30, 400),
    offline: fc.boolean(),
    stream: fc.boolean(),
  }),
);

function apply(client: SyncClient, o: Exclude<Op, { kind: 'advance' | 'faults' }>): PendingWrite {
  const threadId = THREADS[o.thread]!;
  if (o.kind === 'title') {
    return client.mutate(threadId, 'setTitle', { title: o.text });
  }
  const messageId = `m${o.n}`;
  if (o.kind === 'add') {
    return client.mutate(threadId, 'addMessage', { message: { id: messageId, role: 'user', content: `${o.who}${o.n}`, createdAt: o.n } });
  } else if (o.kind === 'edit') {
    return client.mutate(threadId, 'editMessage', { messageId, content: o.text });
  } else if (o.kind === 'append') {
    return client.mutate(threadId, 'appendDelta', { messageId, text: o.text });
  } else {
    return client.mutate(threadId, 'deleteMessage', { messageId });
  }
}

describe('the optimistic view (property)', () => {
  it('is always confirmed ⊕ writes in play, in order; once settled it equals the server', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), fc.integer(), async (ops, seed) => {
        const clock = createFakeClock({ seed });
        const fake = createFakeBackend({ clock, faults: { seed } });
        const env = createFakeEnvironment(clock);
        const make = () =>
          createSyncClient({ connector: fake.connector, clock, environment: env, storage: createMemoryStorage(), retry: { baseMs: 100, maxMs: 2000 } });
        const a = make();
        const b = make();
        for (const c of [a, b]) {
          c.start();
          await c.ready;
          for (const t of THREADS) c.watch(t);
        }
        // The version each of A's writes got on the server, read as it is applied.
        const appliedAt = new Map<string, number>();
        fake.backend.subscribeApplied((m) => {
          appliedAt.set(m.id, fake.backend.thread(m.threadId)!.v);
        });
        const written: Array<{ id: string; threadId: string; name: string; args: unknown; createdAt: number }> = [];
        const failed = new Set<string>();

        const checkInvariant = () => {
          const pending = a.getPendingItems();
          const pendingIds = new Set(pending.map((w) => w.id));
          for (const w of pending) if (w.state === 'failed') failed.add(w.id);
          for (const threadId of THREADS) {
            const confirmed = a.getConfirmedThread(threadId);
            const cv = confirmed?.v ?? 0;
            const inPlay = written.filter((w) => {
              if (w.threadId !== threadId || failed.has(w.id)) return false;
              const p = pending.find((x) => x.id === w.id);
              if (p) return p.state !== 'failed';
              return !pendingIds.has(w.id) && (appliedAt.get(w.id) ?? Infinity) > cv;
            });
            expect(a.getThread(threadId)).toEqual(rebase(threadId, confirmed, inPlay, builtinMutators));
          }
        };

        for (const o of ops) {
          if (o.kind === 'advance') await clock.advanceAsync(o.ms);
          else if (o.kind === 'faults') {
            // Latency with jitter lets pulls, pushes and stream events cross each other.
            fake.setFaults({ errorRate: o.errorRate, lostAnswerRate: o.lostAnswerRate, latencyMs: o.latencyMs, jitterMs: o.latencyMs, seed, stream: { refuse: !o.stream } });
            env.setOnline(!o.offline);
          } else if (o.who === 'b') apply(b, o);
          else {
            // A coalesced write (appendDelta, setTitle) comes back as the queued write it joined.
            const w = apply(a, o);
            const known = written.find((x) => x.id === w.id);
            if (known) known.args = w.args;
            else written.push({ id: w.id, threadId: w.threadId, name: w.name, args: w.args, createdAt: w.createdAt });
          }
          checkInvariant();
        }

        // Settle: a healthy network, everything flushed, a final pull.
        fake.setFaults({});
        env.setOnline(true);
        for (const c of [a, b]) {
          const flushed = c.flushPending();
          await clock.advanceAsync(30_000);
          await flushed;
        }
        for (const c of [a, b]) {
          const synced = Promise.all(THREADS.map((t) => c.syncImmediately(t)));
          await clock.advanceAsync(100);
          await synced;
          await clock.advanceAsync(100);
        }
        for (const c of [a, b]) {
          expect(c.getPendingItems().filter((w) => w.state !== 'failed')).toEqual([]);
          for (const w of c.getPendingItems()) expect(w.lastError?.kind).toBe('rejected');
          for (const t of THREADS) expect(c.getThread(t)).toEqual(fake.thread(t));
        }
        // Exactly once: no (clientId, seq) and no write id applied twice.
        const ids = fake.backend.applied.map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
        a.dispose();
        b.dispose();
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
