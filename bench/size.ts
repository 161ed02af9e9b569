/** Bundle size, min + gzip, peers external, built the same way for syncline and TanStack Query. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Rollup } from 'vite';

const PEERS = /^(react|react-dom|zustand|immer|@tanstack\/query-core)?$|^(react|react-dom|zustand|immer)\//;
const src = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

async function minGzip(entryCode: string, external: (id: string) => boolean): Promise<{ min: number; gzip: number }> {
  // Inside the project, so the entry resolves packages from node_modules.
  const cache = fileURLToPath(new URL('../node_modules/.cache', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'syncline-size-'));
  try {
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, entryCode);
    // What an app's production build ships: fully minified (library mode alone keeps
    // whitespace), NODE_ENV=production, peers left to the app.
    const result = await build({
      configFile: false,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
      build: {
        write: false,
        minify: true,
        lib: { entry, formats: ['es'], fileName: 'entry' },
        rolldownOptions: { external, output: { minify: true } },
      },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
    const code = outputs
      .flatMap((o) => o.output)
      .filter((c): c is Rollup.OutputChunk => c.type === 'chunk')
      .map((c) => c.code)
      .join('\n');
    return { min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function bundleSizes() {
  const ours = await minGzip(
    [`export * from '${src('index.ts')}';`, `export * from '${src('react/index.ts')}';`, `export * from '${src('components/index.ts')}';`].join('\n'),
    (id) => PEERS.test(id) || id.endsWith('.css'),
  );
  // What a typical app imports, tree-shaken: the client over HTTP, the provider, hooks, components.
  const typical = await minGzip(
    [
      `export { createSyncClient, createHttpConnector } from '${src('index.ts')}';`,
      `export { SyncProvider, useThread, useSyncStatus, usePendingItems, useSyncHealth } from '${src('react/index.ts')}';`,
      `export { SyncBadge, DegradedBanner, PendingWriteIndicator } from '${src('components/index.ts')}';`,
    ].join('\n'),
    (id) => PEERS.test(id) || id.endsWith('.css'),
  );
  // TanStack Query's React package with its core, as an app ships it (React external).
  const reactQuery = await minGzip(`export * from '@tanstack/react-query';`, (id) => /^(react|react-dom)(\/.*)?$/.test(id));
  return { ours, typical, reactQuery };
}
