import fc from 'fast-check';
import { createHttpConnector, createMemoryStorage, createSyncClient, type OutboxStorage, type SyncClient } from 'syncline';
import { createDevServer, type DevServer } from 'syncline/server';
import { describeAnswer, GHOST_IDS, runScript, type Answer, type Route } from './hostileAnswers.js';
import { startForeignServer, type ForeignServer } from './foreignServer.js';
import { startHostileServer, type HostileServer } from './hostileServer.js';

// Issue 9, "shown by" 2: the real HTTP connector and client on loopback, against a hostile server
// in front of the real dev server. Each run is one long-lived client fed RUN_ANSWERS hostile
// answers; after each answer the invariants below must hold, and once the server behaves again
// the client must converge and go live. Reproduce a failure with the seed it prints:
// FUZZ_SEED=<seed> [FUZZ_RUN=<run>] npx vitest run --project unit test/integration/fuzz.test.ts
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const RUNS = 12;
const RUN_ANSWERS = 171;
const ONLY_RUN = process.env.FUZZ_RUN === undefined ? null : Number(process.env.FUZZ_RUN);
/**
 * Real time a run may spend being fed answers, then converging: bounded, so the suite ends, and
 * with room for a loaded 2-core machine (a run ends as soon as it has its answers, or converged):
 * at 45 s some runs were fed fewer than RUN_ANSWERS and the suite's answer count failed.
 */
const FEED_MAX_MS = 120_000;
const CONVERGE_MAX_MS = 30_000;
const THREADS = 3;
const MAX_WRITES = 60;

const LEAKS = Symbol.for('syncline.test.leaks');

// Every run at once: a run mostly waits on sockets and timers (one alone uses ~25 % of a core).
vi.setConfig({ maxConcurrency: RUNS });

let dev: DevServer;
let hostile: HostileServer;
let foreign: ForeignServer;
const totals = { hostile: 0, byRoute: { push: 0, pull: 0, ping: 0, events: 0 } as Record<Route, number>, ms: 0 };
/** The runs going on, by the tag their client puts on every request. */
const runs = new Map<string, Run>();

interface Run {
  index: number;
  threads: string[];
  storage: OutboxStorage;
  client: SyncClient;
  /** Ids of the writes `mutate` accepted. */
  writes: string[];
  appliedFrom: number;
  /** Each broken invariant once, with the answer after which it was first seen and a count. */
  violations: Map<string, { first: string; count: number }>;
  leaksSeen: number;
  hostile: number;
  /** Reloads after fencing (a hostile 409 on a push). */
  reloads: number;
  log: string[];
  /** The next answer for a route; undefined: the server behaves. */
  script: (route: Route) => Answer | undefined;
}

function violation(run: Run, what: string, after: string): void {
  const seen = run.violations.get(what);
  if (seen) seen.count++;
  else run.violations.set(what, { first: after, count: 1 });
}

function leakCount(): number {
  return (globalThis as { [LEAKS]?: { leaks: unknown[] } })[LEAKS]?.leaks.length ?? 0;
}

function appliedCounts(run: Run): Map<string, number> {
  const counts = new Map<string, number>();
  const applied = dev.backend.applied;
  for (let i = run.appliedFrom; i < applied.length; i++) counts.set(applied[i]!.id, (counts.get(applied[i]!.id) ?? 0) + 1);
  return counts;
}

/** The invariants that hold after every answer, whatever it was. */
function check(run: Run, after: string): void {
  const c = run.client;
  const getter = (name: string, read: () => unknown, ok: (value: unknown) => boolean) => {
    try {
      const value = read();
      if (!ok(value)) violation(run, `${name} returned ${typeof value === 'function' ? 'a function' : JSON.stringify(value)?.slice(0, 80)}`, after);
    } catch (err) {
      violation(run, `${name} threw ${String(err).slice(0, 200)}`, after);
    }
  };
  const isStatus = (s: unknown) => typeof (s as { state?: unknown })?.state === 'string' && typeof (s as { pendingCount?: unknown }).pendingCount === 'number';
  // Undefined, or a thread the store could only hold if it had validated it: a safe version,
  // messages with distinct ids.
  const isThreadOrNothing = (t: unknown) => {
    if (t === undefined) return true;
    const thread = t as { id?: unknown; v?: unknown; messages?: { id: unknown }[] };
    if (typeof thread !== 'object' || thread === null || typeof thread.id !== 'string') return false;
    if (!Number.isSafeInteger(thread.v) || (thread.v as number) < 0 || !Array.isArray(thread.messages)) return false;
    return new Set(thread.messages.map((m) => m.id)).size === thread.messages.length;
  };
  for (const id of [...run.threads, ...GHOST_IDS]) {
    getter(`getThread(${JSON.stringify(id)})`, () => c.getThread(id), isThreadOrNothing);
    getter(`getSyncStatus(${JSON.stringify(id)})`, () => c.getSyncStatus(id), isStatus);
    getter(`getPendingItems(${JSON.stringify(id)})`, () => c.getPendingItems(id), Array.isArray);
  }
  getter('getSyncStatus()', () => c.getSyncStatus(), isStatus);
  getter('getPendingItems()', () => c.getPendingItems(), Array.isArray);
  getter('getHealthStatus()', () => c.getHealthStatus(), (h) => typeof (h as { state?: unknown })?.state === 'string');

  let pending: Set<string>;
  try {
    pending = new Set(c.getPendingItems().map((w) => w.id));
  } catch {
    return;
  }
  const counts = appliedCounts(run);
  for (const id of run.writes) {
    const n = counts.get(id) ?? 0;
    if (n > 1) violation(run, `write ${id} applied ${n} times by the real server`, after);
    if (n === 0 && !pending.has(id)) violation(run, 'a write left the outbox that the real server never applied (acknowledged by someone else)', after);
  }
  if (foreign.received.length > 0) violation(run, `the foreign origin received ${foreign.received.join(', ')}`, after);
  if (leakCount() > run.leaksSeen) {
    run.leaksSeen = leakCount();
    violation(run, 'an unhandled rejection or uncaught exception (see the leak report of this test)', after);
  }
}

function makeClient(run: { index: number; storage: OutboxStorage; threads: string[] }): SyncClient {
  const client = createSyncClient({
    connector: createHttpConnector({
      baseUrl: hostile.url,
      // Two runs in twelve without a timeout: a hanging answer ends only when the server cuts it.
      timeoutMs: run.index % 6 === 5 ? 0 : 600,
      // Small limits, so small hostile answers cross them.
      maxEventBytes: 64 * 1024,
      maxBodyBytes: 1024 * 1024,
      headers: () => ({ 'x-client-tag': String(run.index) }),
    }),
    storage: run.storage,
    namespace: `fuzz-${run.index}`,
    batch: { windowMs: 5, maxItems: run.index % 3 === 0 ? 1 : 10 },
    // Short waits, so many answers fit in little time; every wait a server suggests is capped by them.
    retry: { baseMs: 5, maxMs: 50 },
    poll: { activeMs: 100, idleMs: 300 },
    liveness: { staleAfterMs: 1500 },
  });
  client.start();
  for (const t of run.threads) client.watch(t);
  return client;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sameThread(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}

/** What a person reads to triage a run that did not converge. */
function convergenceReport(run: Run): string {
  const c = run.client;
  const counts = appliedCounts(run);
  const pending = c.getPendingItems().map((w) => `${w.id} ${w.state} x${w.attempts} ${w.lastError ? `${w.lastError.kind}: ${w.lastError.message.slice(0, 120)}` : ''}`);
  const threads = run.threads.map((t) => {
    const mine = c.getThread(t);
    const real = dev.backend.thread(t);
    return `${t}: client v${mine?.v} ${mine?.messages.length} messages, server v${real?.v} ${real?.messages.length} messages`;
  });
  const notApplied = run.writes.filter((id) => (counts.get(id) ?? 0) === 0).length;
  return [
    `health ${JSON.stringify(c.getHealthStatus())}`,
    `${run.writes.length} writes, ${notApplied} not applied by the server, pending: ${pending.slice(0, 5).join(' | ') || 'none'}${pending.length > 5 ? ` (+${pending.length - 5})` : ''}`,
    ...threads,
  ].join('\n    ');
}

/**
 * The documented way out of fencing (docs/outbox.md): a reload, a new client over the same
 * storage, which resumes the stored writes. What the app does when the banner says so.
 */
function reloadIfFenced(run: Run): boolean {
  if (run.client.getHealthStatus().degradedReason !== 'fenced' || run.reloads >= 10) return false;
  run.reloads++;
  run.client.dispose();
  run.client = makeClient(run);
  return true;
}

async function feed(run: Run, script: Record<Route, Answer[]>): Promise<void> {
  const next: Record<Route, number> = { push: 0, pull: 0, ping: 0, events: 0 };
  run.script = (route) => script[route][next[route]++];
  const started = Date.now();
  for (let tick = 0; run.hostile < RUN_ANSWERS && Date.now() - started < FEED_MAX_MS; tick++) {
    // Writes all along the run (in step with the answers served), so pushes go on to the end.
    if (run.writes.length < 2 + (MAX_WRITES * run.hostile) / RUN_ANSWERS && run.writes.length < MAX_WRITES) {
      // A message, then a delta to it: applied twice, the delta would show (`hello!!`). The
      // thread's latest write is never a delta, so none is coalesced into another.
      const n = run.writes.length;
      const pair = Math.floor(n / 2);
      const threadId = run.threads[pair % THREADS]!;
      const id = `r${run.index}-m${pair}`;
      try {
        const write =
          n % 2 === 0
            ? run.client.mutate(threadId, 'addMessage', { message: { id, role: 'user', content: `hello ${id}`, createdAt: tick } })
            : run.client.mutate(threadId, 'appendDelta', { messageId: id, text: '!' });
        run.writes.push(write.id);
      } catch (err) {
        // Refusing a write is allowed (fenced, outbox full): only with a SyncError.
        if ((err as Error).name !== 'SyncError' && (err as Error).name !== 'OutboxFullError') {
          violation(run, `mutate threw ${String(err)}`, 'a mutate');
        }
      }
    }
    if (tick % 6 === 0) run.client.syncImmediately(run.threads[tick % THREADS]!).catch(() => undefined);
    reloadIfFenced(run);
    await sleep(10);
  }
  if (run.hostile < RUN_ANSWERS) run.log.push(`only ${run.hostile} hostile answers within ${FEED_MAX_MS} ms`);
}

async function converge(run: Run, last: Record<Route, Answer>): Promise<boolean> {
  const waiting = new Map(Object.entries(last) as [Route, Answer][]);
  run.script = (route) => {
    const answer = waiting.get(route);
    waiting.delete(route);
    return answer;
  };
  // A write as the server comes back: its push meets the last word (a 503 "retry in a day").
  try {
    const id = `r${run.index}-last`;
    const message = { id, role: 'user' as const, content: 'back?', createdAt: 0 };
    run.writes.push(run.client.mutate(run.threads[0]!, 'addMessage', { message }).id);
  } catch {
    // fenced: the reload below resumes the stored writes
  }
  const started = Date.now();
  while (Date.now() - started < CONVERGE_MAX_MS) {
    if (reloadIfFenced(run)) continue;
    const c = run.client;
    const health = c.getHealthStatus();
    // Failed writes wait for a person (docs/outbox.md): this person retries them.
    for (const w of c.getPendingItems()) {
      if (w.state !== 'failed') continue;
      // Only the server's refusal may fail a write; anything retryable is retried by syncline.
      if (w.lastError?.retryable) violation(run, `a write failed with a retryable ${w.lastError.kind} error`, w.lastError.message);
      run.log.push(`retried ${w.id} (seq ${w.seq}) after ${w.lastError?.kind} ${w.lastError?.status ?? ''} ${w.lastError?.message.slice(0, 80)}`);
      c.retry(w.id);
    }
    const counts = appliedCounts(run);
    const done =
      c.getPendingItems().length === 0 &&
      run.writes.every((id) => counts.get(id) === 1) &&
      run.threads.every((t) => sameThread(c.getThread(t), dev.backend.thread(t))) &&
      health.state === 'live' &&
      !health.degraded;
    if (done) return true;
    await sleep(25);
  }
  return false;
}

beforeAll(async () => {
  dev = await createDevServer({ keepaliveMs: 300 });
  foreign = await startForeignServer();
  hostile = await startHostileServer({ upstream: dev.url, foreign: foreign.url });
  hostile.setScript((route, tag) => (tag === undefined ? undefined : runs.get(tag)?.script(route)));
  hostile.onAnswered((route, answer, tag) => {
    const run = tag === undefined ? undefined : runs.get(tag);
    if (!run || (answer.kind === 'behave' && answer.cutAfterMs < 0)) return;
    if (answer.kind !== 'behave') {
      run.hostile++;
      totals.hostile++;
      totals.byRoute[route]++;
    }
    const after = `${route} answer ${describeAnswer(answer)}`;
    check(run, after);
  });
  console.info(`fuzz seed ${SEED} (override with FUZZ_SEED=<n>, one run with FUZZ_RUN=<i>)`);
});

afterAll(async () => {
  await hostile?.close();
  await foreign?.close();
  await dev?.close();
});

describe(`hostile answers through the real HTTP connector (seed ${SEED})`, () => {
  const indexes = Array.from({ length: RUNS }, (_, i) => i).filter((i) => ONLY_RUN === null || i === ONLY_RUN);

  // Concurrent: a run spends most of its time waiting on timers and sockets.
  const name = 'run %i: invariants after every answer, then convergence once the server behaves';
  it.concurrent.for(indexes)(name, { timeout: FEED_MAX_MS + CONVERGE_MAX_MS + 10_000 }, async (index, { expect }) => {
    const threads = Array.from({ length: THREADS }, (_, t) => `r${index}-t${t}`);
    // One seed per run, so FUZZ_RUN replays a run alone with the same answers.
    const [script] = fc.sample(runScript(threads, RUN_ANSWERS), { seed: SEED + index, numRuns: 1 });
    const storage = createMemoryStorage();
    const run: Run = {
      index,
      threads,
      storage,
      client: null as unknown as SyncClient,
      writes: [],
      appliedFrom: dev.backend.applied.length,
      violations: new Map(),
      leaksSeen: leakCount(),
      hostile: 0,
      reloads: 0,
      log: [],
      script: () => undefined,
    };
    const started = Date.now();
    run.client = makeClient(run);
    runs.set(String(index), run);
    try {
      await run.client.ready;
      await feed(run, script!.answers);
      const converged = await converge(run, script!.last);
      if (!converged) violation(run, `did not converge and go live within ${CONVERGE_MAX_MS} ms of the server behaving:\n    ${convergenceReport(run)}`, 'the last answer');
      check(run, 'convergence');
    } finally {
      runs.delete(String(index));
      run.client.dispose();
      totals.ms += Date.now() - started;
    }
    const report = [...run.violations].map(([what, { first, count }]) => `- ${what}\n    first after: ${first}${count > 1 ? ` (${count} times)` : ''}`);
    if (run.reloads > 0) run.log.unshift(`${run.reloads} reloads after fencing`);
    console.info(`run ${index}: ${run.hostile} hostile answers, ${run.writes.length} writes, ${Date.now() - started} ms${run.log.length ? `; ${run.log.join('; ')}` : ''}`);
    expect(report, `run ${index} (FUZZ_SEED=${SEED} FUZZ_RUN=${index}) broke invariants:\n${report.join('\n')}\n  log: ${run.log.join('\n    ')}\n`).toEqual([]);
  });

  it(`served at least ${RUNS * RUN_ANSWERS} hostile answers in all, and none reached the foreign origin`, () => {
    console.info(`fuzz: ${totals.hostile} hostile answers (${JSON.stringify(totals.byRoute)}) in ${totals.ms} ms`);
    expect(foreign.received).toEqual([]);
    if (ONLY_RUN === null) expect(totals.hostile).toBeGreaterThanOrEqual(RUNS * RUN_ANSWERS);
  });
});
