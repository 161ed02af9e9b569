import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The leak check (test/setup/rejections.ts) proven on a fixture that leaks on purpose, run by a
// separate Vitest so its failures do not fail this file.
const root = fileURLToPath(new URL('../..', import.meta.url));

interface JsonReport {
  testResults: {
    status: string;
    message: string;
    assertionResults: { title: string; status: string; failureMessages: string[] }[];
  }[];
}

function runFixture(): Promise<JsonReport> {
  const dir = mkdtempSync(join(tmpdir(), 'syncline-leaks-'));
  const out = join(dir, 'report.json');
  const args = ['run', '--config', 'test/setup/fixtures/vitest.config.ts', '--reporter=json', `--outputFile=${out}`];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), ...args], { cwd: root, timeout: 60_000 }, (error) => {
      try {
        // Vitest exits with 1 because the fixture fails: the report is what matters.
        resolve(JSON.parse(readFileSync(out, 'utf8')) as JsonReport);
      } catch (readError) {
        reject(error ?? readError);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('the leak check of every unit, dom and react18 test file', () => {
  it('fails the test that leaked, and the file for a leak after its last test', async () => {
    const report = await runFixture();
    expect(report.testResults).toHaveLength(1);
    const file = report.testResults[0]!;
    const byTitle = Object.fromEntries(file.assertionResults.map((t) => [t.title, t]));

    expect(byTitle['leaks a rejection']?.status).toBe('failed');
    expect(byTitle['leaks a rejection']?.failureMessages.join('\n')).toMatch(
      /unhandled rejection during "leaks a rejection":\nError: rejected on purpose inside a test\n\s+at .*leaks\.fixture\.ts/,
    );
    expect(byTitle['leaks nothing']?.status).toBe('passed');
    expect(byTitle['throws from a timer it started']?.status).toBe('failed');
    expect(byTitle['throws from a timer it started']?.failureMessages.join('\n')).toContain(
      'uncaught exception during "throws from a timer it started":\nError: thrown on purpose from a timer',
    );

    expect(file.status).toBe('failed');
    expect(file.message).toContain('after its last test');
    expect(file.message).toContain('rejected on purpose after the last test');
  });
});
