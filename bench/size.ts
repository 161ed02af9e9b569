/** Bundle size, min + gzip, peers external, built the same way for syncline and TanStack Query. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin, type Rollup } from 'vite';

const PEERS = /^(react|react-dom|zustand|immer|@tanstack\/query-core)?$|^(react|react-dom|zustand|immer)\//;
const src = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

interface Size {
  min: number;
  gzip: number;
}

async function minGzip(
  entryCode: string,
  external: (id: string) => boolean,
  plugins: Plugin[] = [],
): Promise<Size & { entry: Size; lazy: Size; modules: string[] }> {
  // Inside the project, so the entry resolves packages from node_modules.
  const cache = fileURLToPath(new URL('../node_modules/.cache', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'syncline-size-'));
  try {
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, entryCode);
    // What an app's production build ships: fully minified (library mode alone keeps
    // whitespace), NODE_ENV=production, peers left to the app. Vite reads NODE_ENV itself to
    // pick the production JSX runtime, so it is set for the build too (under Vitest it is "test").
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    const result = await build({
      configFile: false,
      logLevel: 'silent',
      plugins,
      define: { 'process.env.NODE_ENV': '"production"' },
      build: {
        write: false,
        minify: true,
        lib: { entry, formats: ['es'], fileName: 'entry' },
        rolldownOptions: { external, output: { minify: true } },
      },
    }).finally(() => {
      process.env.NODE_ENV = nodeEnv;
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
    const chunks = outputs.flatMap((o) => o.output).filter((c): c is Rollup.OutputChunk => c.type === 'chunk');
    const size = (code: string) => ({ min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length });
    // `entry` is what loads first; the rest are lazy chunks (dynamic imports).
    return {
      modules: chunks.flatMap((c) => c.moduleIds),
      ...size(chunks.map((c) => c.code).join('\n')),
      entry: size(chunks.filter((c) => c.isEntry).map((c) => c.code).join('\n')),
      lazy: size(chunks.filter((c) => !c.isEntry).map((c) => c.code).join('\n')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The size budget of `syncline` + `/react` + `/components`, min+gzip, peers external. the budget table (README, "Bench")
 * asked for 10 kB; docs/design-changes.md §7 explains the revised figure. The unit tests hold
 * the build to it, so growth past it fails CI instead of waiting for someone to run the bench.
 */
export const BUNDLE_BUDGET_BYTES = 33 * 1024;

const notPeer = (id: string) => PEERS.test(id) || id.endsWith('.css');

const MAIN_ENTRIES = [`export * from '${src('index.ts')}';`, `export * from '${src('react/index.ts')}';`, `export * from '${src('components/index.ts')}';`].join('\n');

/** Every export of the three entries, as an app that imported all of them would ship it. */
export function measureSyncline(): Promise<{ min: number; gzip: number; modules: string[] }> {
  return minGzip(MAIN_ENTRIES, notPeer);
}

/** What metrics may add to the three main entries, min+gzip (docs/metrics.md). */
export const METRICS_BUDGET_BYTES = 1024;

/**
 * The bytes metrics add to the three main entries: the same build with the client's trace and
 * traced connector swapped for the empty ones of bench/noMetrics/ and every line of src/client/
 * and src/react/ marked `// metrics hook` left out (the counting itself is syncline/metrics,
 * measured on its own).
 */
export async function measureMetrics(): Promise<{ mainEntries: number; entry: Size }> {
  const stubs: Plugin = {
    name: 'syncline-size:no-metrics',
    enforce: 'pre',
    resolveId(id, importer) {
      if (!importer?.includes('/src/client/')) return null;
      const stub = /\/metrics\/(clientTrace|traceConnector)\.js$/.exec(id);
      return stub ? fileURLToPath(new URL(`./noMetrics/${stub[1]}.ts`, import.meta.url)) : null;
    },
    transform(code, id) {
      if (!/[\\/]src[\\/](client|react)[\\/]/.test(id) || !code.includes('// metrics hook')) return null;
      return code
        .split('\n')
        .filter((line) => !line.trimEnd().endsWith('// metrics hook'))
        .join('\n');
    },
  };
  // One build at a time: each sets NODE_ENV while it runs.
  const withMetrics = await minGzip(MAIN_ENTRIES, notPeer);
  const without = await minGzip(MAIN_ENTRIES, notPeer, [stubs]);
  const entry = await minGzip(`export * from '${src('metrics/index.ts')}';`, notPeer);
  return { mainEntries: withMetrics.gzip - without.gzip, entry: { min: entry.min, gzip: entry.gzip } };
}

/**
 * syncline/devtools on its own (docs/devtools.md): the corner button an app loads, and the
 * panel chunk it fetches when the inspector is first opened. None of it is in the main entries.
 */
export async function measureDevtools(): Promise<{ initial: Size; panel: Size }> {
  const all = await minGzip(`export * from '${src('devtools/index.ts')}';`, notPeer);
  return { initial: all.entry, panel: all.lazy };
}

export async function bundleSizes() {
  const ours = await measureSyncline();
  // What a typical app imports, tree-shaken: the client over HTTP, the provider, hooks, components.
  const typical = await minGzip(
    [
      `export { createSyncClient, createHttpConnector } from '${src('index.ts')}';`,
      `export { SyncProvider, useThread, useSyncStatus, usePendingItems, useSyncHealth } from '${src('react/index.ts')}';`,
      `export { SyncBadge, DegradedBanner, PendingWriteIndicator } from '${src('components/index.ts')}';`,
    ].join('\n'),
    notPeer,
  );
  // The parts no rewrite can shed: the dependencies the project standards name for SSE parsing
  // and IndexedDB, and the React layer (hooks and components) over an external core.
  const dependencies = await minGzip(
    [
      `export { createParser } from 'eventsource-parser';`,
      `export { createStore, delMany, entries, get, promisifyRequest, set } from 'idb-keyval';`,
    ].join('\n'),
    notPeer,
  );
  const reactLayer = await minGzip(
    [`export * from '${src('react/index.ts')}';`, `export * from '${src('components/index.ts')}';`].join('\n'),
    (id) => notPeer(id) || id.endsWith('/store/selectors.js'),
  );
  // TanStack Query's React package with its core, as an app ships it (React external).
  const reactQuery = await minGzip(`export * from '@tanstack/react-query';`, (id) => /^(react|react-dom)(\/.*)?$/.test(id));
  return { ours, typical, dependencies, reactLayer, reactQuery };
}

/**
 * What protocol v2 adds to the three main entries (docs/protocol.md, "Protocol v2"): the client's
 * op applier and the validation of patches, built alone (tree-shaken), min+gzip. Whether the
 * server's differ (diffThreads, opsAreSmaller) stayed out is read from the main entries' modules.
 */
export async function measureProtocolV2(): Promise<{ client: Size; serverCodeInMain: string[] }> {
  const alone = await minGzip(
    [
      `export { applyOps, applyPatches } from '${src('model/applyOps.ts')}';`,
      `export { describePatchProblem } from '${src('protocol/validate.ts')}';`,
    ].join('\n'),
    notPeer,
  );
  const { modules } = await measureSyncline();
  return {
    client: { min: alone.min, gzip: alone.gzip },
    serverCodeInMain: modules.filter((id) => /[\\/]src[\\/]model[\\/](diffThreads|opsAreSmaller)\.ts$/.test(id)),
  };
}

/**
 * What syncline adds to an AI SDK app (docs/ai.md): the client lines of docs/ai.md's diff
 * (createSyncClient, createHttpConnector, aiMutators, createChatTransport, loadChat) with the
 * per-message status component, tree-shaken, min+gzip, `ai` and `@ai-sdk/react` left to the app;
 * and of that, what syncline/ai and syncline/ai/react add over syncline's core.
 */
export async function measureAi(): Promise<{ appAdds: Size; adapter: Size }> {
  const aiPeer = (id: string) => notPeer(id) || /^(ai|@ai-sdk\/react)(\/|$)/.test(id);
  const core = `export { createSyncClient, createHttpConnector } from '${src('index.ts')}';`;
  const adapter = [
    `export { aiMutators, createChatTransport, loadChat } from '${src('ai/index.ts')}';`,
    `export { ChatMessageStatus } from '${src('ai/react/index.ts')}';`,
  ].join('\n');
  const alone = await minGzip(core, aiPeer);
  const all = await minGzip(`${core}\n${adapter}`, aiPeer);
  return {
    appAdds: { min: all.min, gzip: all.gzip },
    adapter: { min: all.min - alone.min, gzip: all.gzip - alone.gzip },
  };
}
