import { readdirSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The lint rule of eslint.config.js that keeps src/testing/ out of what ships (docs/architecture.md,
 * "Layers"): a file anywhere under src/ but src/testing/ that imports the test kit fails lint, at
 * any depth and by the package name too; the test kit itself may import it.
 */

const eslint = new ESLint({ cwd: process.cwd() });

/** A file at `path` (under src/) importing the fake clock by a relative path from where it sits. */
async function testingMessages(path: string, specifier?: string): Promise<string[]> {
  const depth = path.split('/').length - 2;
  const from = specifier ?? `${depth === 0 ? './' : '../'.repeat(depth)}testing/fakeClock.js`;
  const probe = `import { createFakeClock } from '${from}';\nexport const clock = createFakeClock;\n`;
  const [result] = await eslint.lintText(probe, { filePath: path });
  return result!.messages.map((m) => m.message).filter((m) => m.includes('testing'));
}

const folders = readdirSync('src', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'testing')
  .map((entry) => entry.name);

describe('production code never imports src/testing/', () => {
  it('every folder of src/ but testing/ is covered', () => {
    expect(folders).toEqual(expect.arrayContaining(['model', 'platform', 'protocol', 'transport', 'outbox', 'liveness', 'client', 'react', 'server', 'ai']));
  });

  it.each(folders)('src/%s/ is refused', async (folder) => {
    expect(await testingMessages(`src/${folder}/probe.ts`)).not.toEqual([]);
  });

  it.each(['src/probe.ts', 'src/server/dev/probe.ts', 'src/ai/server/probe.ts', 'src/server/semantics/probe.ts'])('%s is refused', async (path) => {
    expect(await testingMessages(path)).not.toEqual([]);
  });

  it('by the package name too', async () => {
    expect(await testingMessages('src/server/dev/probe.ts', 'syncline/testing')).not.toEqual([]);
  });

  it('src/testing/ itself may', async () => {
    expect(await testingMessages('src/testing/probe.ts')).toEqual([]);
  });
});
