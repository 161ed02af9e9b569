import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * docs/server.md, "Scaling": a stuck stream pins at most maxBufferedBytes of its own, and the
 * bytes of a thread version are shared by every stream that sends it. Measured in a child
 * process (its own heap, gc exposed), not in the test runner's.
 */

const child = fileURLToPath(new URL('./stuckStreams.child.ts', import.meta.url));

describe('20 stuck streams on an 8 MB thread, then 3 writes', () => {
  it('grow the server by a few copies of the thread, not one per stream', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--expose-gc', '--import', 'tsx', child], { cwd: process.cwd(), timeout: 60_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const { growth, threadBytes } = JSON.parse(out) as { growth: number; threadBytes: number };
    // One shared serialization of the version streams hold, the store's newer version and its
    // JSON, and 20 × maxBufferedBytes (1 MiB) of small frames at most: far below 20 copies.
    expect(growth).toBeLessThan(4 * threadBytes + 20 * 1024 * 1024);
  }, 90_000);
});
