import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The lint rule of eslint.config.js that keeps src/testing/ out of what ships (docs/architecture.md,
 * "Layers"): a production file importing the test kit fails lint; a test file may.
 */

const eslint = new ESLint({ cwd: process.cwd() });
const probe = "import { createFakeClock } from '../testing/fakeClock.js';\nexport const clock = createFakeClock;\n";

async function messages(filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(probe, { filePath });
  return result!.messages.map((m) => m.message);
}

describe('production folders never import src/testing/', () => {
  it.each(['server', 'react', 'components', 'query', 'client', 'transport', 'ai', 'devtools'])('src/%s/ is refused', async (folder) => {
    const found = await messages(`src/${folder}/probe.ts`);
    expect(found.some((m) => m.includes('testing'))).toBe(true);
  });

  it('src/testing/ itself may', async () => {
    expect((await messages('src/testing/probe.ts')).filter((m) => m.includes('testing'))).toEqual([]);
  });
});
