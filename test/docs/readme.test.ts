import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');

/** The first ```tsx block after a heading that starts with `heading`. */
function codeAfter(heading: string): string {
  const found = new RegExp(`\\n## ${heading}[^\\n]*\\n+\`\`\`tsx\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!found) throw new Error(`README.md has no tsx block under "## ${heading}"`);
  return found[1]!;
}

/** Type errors of `code` compiled as a .tsx file with the project's own settings and paths. */
function typeErrors(code: string): string[] {
  const dir = `${root}node_modules/.cache/syncline-readme`;
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/quickStart.tsx`;
  writeFileSync(file, code);
  try {
    const config = ts.readConfigFile(`${root}tsconfig.json`, (path) => ts.sys.readFile(path));
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const program = ts.createProgram([file], { ...options, noEmit: true });
    return ts
      .getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('README', () => {
  // The quick start is what a new user pastes first: it must compile against the public API.
  it('the quick start is at most 20 lines of code and type-checks against the public subpaths', () => {
    const code = codeAfter('Quick start');
    expect(code.split('\n').filter((line) => line.trim() !== '').length).toBeLessThanOrEqual(20);
    for (const subpath of ["'syncline'", "'syncline/react'", "'syncline/components'"]) expect(code).toContain(subpath);
    expect(typeErrors(code)).toEqual([]);
  }, 60_000);
});
