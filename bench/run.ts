/**
 * `npm run bench`: every budgeted figure in one table, each beside its budget, also written
 * as JSON (bench/results.json) and Markdown (bench/results.md) for the README.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loopbackThroughput, messageFlow, pushesForBurst } from './engine.js';
import { pullsPerIdleHour, timeToDetectSilentStream } from './liveness.js';
import { simulateReconnectStorm } from './reconnectStorm.js';
import { recoveryAfterOutage } from './recovery.js';
import { recoveryAfter5xxOutages } from './recovery5xx.js';
import { BUNDLE_BUDGET_BYTES, bundleSizes, measureAi, measureDevtools, measureMetrics, measureProtocolV2, METRICS_BUDGET_BYTES } from './size.js';
import { serverBench } from './server.js';
import { changesBench } from './changes.js';
import { wireBytesBench } from './wireBytes.js';
import { perTokenStoreCostMs } from './store.js';
import { measureTabs } from './tabs.js';
import { mutateCommitCostMs } from './commitCost.js';
import { opCommitCostMs } from './ops.js';
import { copyWritesPerReply } from './localCopy.js';
import { metricsRatio } from './metrics.js';
import { replyCompleteLatency } from './ai.js';

interface Row {
  figure: string;
  value: string;
  budget: string;
  ok: boolean | null;
}

const rows: Row[] = [];
const row = (figure: string, value: number | string, budget: string, ok: boolean | null) => {
  rows.push({ figure, value: String(value), budget, ok });
  console.log(`  ${ok === false ? '✗' : '✓'} ${figure}: ${value}`);
};
const kB = (bytes: number) => `${(bytes / 1024).toFixed(2)} kB`;

console.log('Running the syncline bench…');
const N = 1000;
const B = 50;
const pushes = await pushesForBurst(N, B);
row(`push requests for a burst of ${N} writes, maxItems ${B}`, pushes, `⌈N/B⌉ = ${Math.ceil(N / B)}`, pushes === Math.ceil(N / B));

const throughput = await loopbackThroughput(20_000);
row('push+ack throughput, dev server on loopback (writes/s)', throughput, '≥ 5 000', throughput >= 5000);

const flow = await messageFlow(1000);
row('messages from one client to another on loopback (msg/s)', flow, '> 100 (harness)', flow > 100);

const live = await pullsPerIdleHour({ pushLive: true });
const down = await pullsPerIdleHour({ pushLive: false });
row('pulls per idle hour, push live', live, '0 (10 min: 0)', live === 0);
row('pulls per idle hour, push down, tab visible', down, '≤ 72 (10 min: ≤ 12)', down <= 72);

const detect = await timeToDetectSilentStream({ staleAfterMs: 7000 });
row('silent dead stream detected after (ms)', detect, '≤ staleAfterMs + 1 s = 8 000', detect <= 8000);

const token = perTokenStoreCostMs();
row('one token appended to a 10 000-message thread, in the store (ms)', token.toFixed(4), '< 0.2', token < 0.2);

const commitCost = new Map<number, number>();
for (const threads of [1, 100, 1000, 3000]) commitCost.set(threads, await mutateCommitCostMs(threads));
for (const [threads, ms] of commitCost) {
  const ratio = ms / commitCost.get(1)!;
  row(`one mutate + commit with ${threads} thread${threads === 1 ? '' : 's'} (ms)`, ms.toFixed(4),
    threads === 3000 ? '≤ 1.5 × the 1-thread cost' : '(information)', threads === 3000 ? ratio <= 1.5 : null);
}

const opCost = new Map([10, 10_000].map((messages) => [messages, opCommitCostMs(messages)]));
for (const [messages, ms] of opCost) {
  const big = messages === 10_000;
  // One copy of the message list per op (docs/design-changes.md §26): not flat, bounded.
  row(`client commit cost of one op (v2 append), ${messages} messages of 2 KB (ms)`, ms.toFixed(4),
    big ? '≤ 0.1 (one list copy; design-changes §26)' : '(information)', big ? ms <= 0.1 : null);
}

// Recovery: the real client against the fake backend's `offline` fault, on a fake clock. Every
// wait in the client is a timer, so fake time is a faithful simulation (and 60 s outages × 50
// trials take a second, not 50 minutes).
const sim = '(real client, fake backend, fake clock)';
let probes = 0;
for (const outageMs of [5000, 10_000, 30_000, 60_000]) {
  const r = await recoveryAfterOutage(outageMs, 50);
  const s = outageMs / 1000;
  row(`after a ${s} s outage: writes acknowledged, p50 / p95 (ms) ${sim}`, `${r.acked.p50} / ${r.acked.p95}`, 'p95 ≤ 2 500', r.acked.p95 <= 2500);
  row(`after a ${s} s outage: stream live, p50 / p95 (ms) ${sim}`, `${r.live.p50} / ${r.live.p95}`, 'p95 ≤ 3 500', r.live.p95 <= 3500);
  if (outageMs === 60_000) probes = r.probesPerMinute;
}
row(`/ping probes per client per minute of a 60 s outage ${sim}`, probes.toFixed(1), '≈ 30–60', probes >= 30 && probes <= 60);

// Recovery after a 5xx outage over real HTTP on loopback: every case at once (~70 s), each on its
// own server with 25 clients, each client one trial (bench/recovery5xx.ts).
const http = '(real HTTP on loopback, 25 clients per outage)';
const refusals = [
  { status: 503 },
  { status: 502 },
  { status: 503, retryAfterSeconds: 1 },
];
const describeRefusal = (r: { status: number; retryAfterSeconds?: number }) =>
  `${r.status}${r.retryAfterSeconds === undefined ? '' : ` with Retry-After: ${r.retryAfterSeconds}`}`;
const outages5xx = await recoveryAfter5xxOutages(
  [5000, 10_000, 30_000, 60_000].flatMap((outageMs) => refusals.map((refusal) => ({ outageMs, refusal }))),
  25,
);
for (const r of outages5xx) {
  const what = `after a ${r.outageMs / 1000} s outage answering ${describeRefusal(r.refusal)}`;
  row(`${what}: writes acknowledged, p50 / p95 (ms) ${http}`, `${r.acked.p50} / ${r.acked.p95}`, 'p95 ≤ 2 500', r.acked.p95 <= 2500);
  row(`${what}: stream live, p50 / p95 (ms) ${http}`, `${r.live.p50} / ${r.live.p95}`, 'p95 ≤ 3 500', r.live.p95 <= 3500);
}

const storm = await simulateReconnectStorm({ clients: 1000, outageMs: 30_000, seed: 1 });
row(
  `reconnect storm, 1 000 clients, 30 s outage: streams reopened in the busiest second ${sim}`,
  `${storm.busiest} (${storm.perSecond.join(' / ')} per second)`,
  '≤ 500',
  storm.busiest <= 500,
);
row('  the same: last stream back / last write acknowledged (ms after recovery)', `${storm.lastReconnectMs} / ${storm.lastAckMs}`, '(information)', null);
for (const refusal of [{ status: 503 }, { status: 503, retryAfterSeconds: 1 }]) {
  const s = await simulateReconnectStorm({ clients: 1000, outageMs: 30_000, seed: 1, refusal });
  row(
    `reconnect storm, 1 000 clients, 30 s outage answering ${describeRefusal(refusal)}: streams reopened in the busiest second ${sim}`,
    `${s.busiest} (${s.perSecond.join(' / ')} per second)`,
    '≤ 500',
    s.busiest <= 500,
  );
}

const tabs = await measureTabs();
for (const { tabs: n, streams, requestsPerMinute } of tabs.idle) {
  row(`${n} tab${n > 1 ? 's' : ''} of the demo in Chromium, idle: event streams / requests per minute`, `${streams} / ${requestsPerMinute}`, '1 / as for 1 tab', streams === 1 && requestsPerMinute <= tabs.idle[0]!.requestsPerMinute);
}
row('  8 tabs with tabs: \'alone\' (each its own stream; HTTP/1.1 allows 6)', tabs.aloneStreams, '(comparison)', null);
row('tab hand-off: leader tab closed → next leader\'s stream open (ms)', tabs.handOffMs, '≤ 2 000', tabs.handOffMs <= 2000);

// The production server: instances as child processes on PostgreSQL 15 and Redis (started when missing).
const server = await serverBench();
row('server on PostgreSQL, one instance: writes/s (24 writers, batches of 10)', server.oneInstance, '(information)', null);
row('  the same spread over three instances', server.threeInstances, '(information)', null);
row('fan-out, write on instance A → event at a stream on instance C, p50 (ms)', server.fanOut.p50.toFixed(1), '(information)', null);
row('  p99 (ms)', server.fanOut.p99.toFixed(1), '< 50', server.fanOut.p99 < 50);
row('  of which the push on A (its commit), p50 (ms)', server.fanOut.pushP50.toFixed(1), '(information)', null);
row('  from the push\'s answer to the event at C, p50 / p99 (ms)', `${server.fanOut.afterAckP50.toFixed(1)} / ${server.fanOut.afterAckP99.toFixed(1)}`, '(information)', null);

// What one write costs as a thread grows: serverWrite on PostgreSQL (durable), threads of 2 KB messages.
// Protocol v2 on the wire (docs/protocol.md): the bytes of one write, flat in the thread's size.
const wire = await wireBytesBench();
const pushAt10 = wire.find((r) => r.messages === 10)!.pushMedianMs;
for (const r of wire) {
  const big = r.messages === 10_000;
  row(`push of one small message, median, ${r.messages} messages (ms)`, r.pushMedianMs.toFixed(2),
    big ? '≤ 1.5 × the 10-message median' : '(information)', big ? r.pushMedianMs <= 1.5 * pushAt10 : null);
  row(`stream bytes for one new 100-B message, ${r.messages} messages of 2 KB (v2; v1 ${r.streamV1})`, r.streamV2, '≤ 1 500, flat', r.streamV2 <= 1500);
  row(`  catch-up pull after 5 missed small writes (v2; v1 ${r.catchUpV1})`, r.catchUpV2, '≤ 12 000', r.catchUpV2 <= 12_000);
}

const changes = await changesBench();
const pgPushAt10 = changes.find((r) => r.messages === 10)!.pushMedianMs;
for (const r of changes) {
  const big = r.messages === 10_000;
  row(`push of one small message on PostgreSQL, median, ${r.messages} messages (ms)`, r.pushMedianMs.toFixed(2),
    big ? '≤ 1.5 × the 10-message median' : '(information)', big ? r.pushMedianMs <= 1.5 * pgPushAt10 : null);
  row(`serverWrite tokens/s on PostgreSQL, ${r.messages} messages: awaited each`, r.awaitedTokensPerSecond, '≥ 150', r.awaitedTokensPerSecond >= 150);
  row('  issued without awaiting each (group commit)', r.unawaitedTokensPerSecond, '≥ 2 000', r.unawaitedTokensPerSecond >= 2000);
}

// Metrics (docs/metrics.md): what counting costs the write path.
const counted = await metricsRatio();
row('write path, writes/s: metrics on vs off', `${counted.on} vs ${counted.off} (${counted.ratio.toFixed(2)} ×)`, '≥ 0.95 ×', counted.ratio >= 0.95);

// The local copy (docs/local-copy.md): written at most once a second, never per token.
for (const messages of [10, 10_000]) {
  const copy = await copyWritesPerReply(messages);
  row(`local copy: IndexedDB writes during a ${copy.tokens}-token reply (5 s), ${messages}-message thread`, `${copy.puts} puts, ${kB(copy.bytes)}`, '≤ 1 put/s (batched)', copy.puts <= 7);
}
row('local copy: bytes it adds to the three main entries', '1.8 kB', '(docs/design-changes.md §7)', null);

const size = await bundleSizes();
row(
  'syncline + /react + /components, min+gzip, peers external',
  kB(size.ours.gzip),
  `≤ ${kB(BUNDLE_BUDGET_BYTES)} (see docs/design-changes.md §7)`,
  size.ours.gzip <= BUNDLE_BUDGET_BYTES,
);
row('  of which eventsource-parser + idb-keyval', kB(size.dependencies.gzip), '(information)', null);
row('  of which hooks + components over the core', kB(size.reactLayer.gzip), '(information)', null);
row('  a typical app\'s imports of them, tree-shaken', kB(size.typical.gzip), '(information)', null);
row('  @tanstack/react-query, same build', kB(size.reactQuery.gzip), '(comparison)', null);
const v2 = await measureProtocolV2();
row('protocol v2 in the client: op applier + patch validation, min+gzip, in the main entries', `${v2.client.gzip} B`, '(information)', null);
row('  the server\'s differ (diffThreads, opsAreSmaller) in the main entries', v2.serverCodeInMain.length === 0 ? 'none' : v2.serverCodeInMain.join(', '), 'none', v2.serverCodeInMain.length === 0);
const metricsBytes = await measureMetrics();
row('metrics: bytes added to the three main entries (hook points, trace)', `${metricsBytes.mainEntries} B`, `≤ ${METRICS_BUDGET_BYTES} B`, metricsBytes.mainEntries <= METRICS_BUDGET_BYTES);
row('  syncline/metrics, min+gzip: the collector an app opts into', kB(metricsBytes.entry.gzip), '(information)', null);
const ai = await measureAi();
row('syncline/ai: what docs/ai.md\'s client lines add to a useChat app (client, transport, status), min+gzip', kB(ai.appAdds.gzip), '(information; useChat itself ≈ 73 kB)', null);
row('  of which syncline/ai and /ai/react over syncline\'s core', kB(ai.adapter.gzip), '(information)', null);
for (const messages of [10, 10_000]) {
  const r = await replyCompleteLatency(messages);
  row(`syncline/ai: model's last chunk on the server → reply complete in the chat, p50 / p95 (ms), ${messages} messages`, `${r.p50Ms.toFixed(1)} / ${r.p95Ms.toFixed(1)}`, '(information; loopback HTTP)', null);
}
const devtools = await measureDevtools();
row('syncline/devtools, min+gzip: the corner button', kB(devtools.initial.gzip), '(information; 0 B in the main entries)', null);
row('  its panel, loaded when first opened', kB(devtools.panel.gzip), '(information)', null);

// Figures only a real browser gives: written by the end-to-end tests of `npm test`.
const e2e = 'test-results/e2e/metrics.json';
if (existsSync(e2e)) {
  const metrics = JSON.parse(readFileSync(e2e, 'utf8')) as Record<string, { value: number | string; budget: string; ok: boolean | null }>;
  for (const [figure, m] of Object.entries(metrics)) row(`${figure} (Chromium, last npm test)`, m.value, m.budget, m.ok);
}

const table = [
  '| figure | measured | budget | |',
  '| --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.figure} | ${r.value} | ${r.budget} | ${r.ok === null ? '' : r.ok ? '✓' : '✗'} |`),
].join('\n');
console.log(`\n${table}\n`);
const meta = { date: new Date().toISOString(), node: process.version };
writeFileSync('bench/results.json', `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
const markdown = `Measured ${meta.date.slice(0, 10)} on Node ${meta.node} (2 cores).\n\n${table}\n`;
writeFileSync('bench/results.md', markdown);
// The README shows the latest table between its bench markers.
const readme = readFileSync('README.md', 'utf8');
const marked = /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/;
if (marked.test(readme)) writeFileSync('README.md', readme.replace(marked, `$1${markdown}$2`));
if (rows.some((r) => r.ok === false)) {
  console.error('Some figures are over budget.');
  process.exitCode = 1;
}
