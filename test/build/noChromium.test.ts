import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const env = { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' };
const npx = (args: string[]) => spawnSync('npx', args, { cwd: root, env, encoding: 'utf8', timeout: 90_000 });

// The root vite.config.ts holds the browser test projects; building the package or running the
// demo loads it too and must not need a browser.
describe('without Chromium', () => {
  it('the package builds', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'syncline-build-'));
    try {
      const result = npx(['vite', 'build', '--logLevel', 'error', '--outDir', outDir]);
      expect(result.status, result.stderr).toBe(0);
      expect(readdirSync(outDir)).toContain('index.js');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('a browser project fails its run and says how to install Chromium (never skipped)', () => {
    const result = npx(['vitest', 'run', '--project', 'browser', 'test/browser/tabs.browser.test.ts']);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('Browser tests need Chromium at /nonexistent/chromium');
  }, 90_000);

  it('npm run demo starts and serves the app', async () => {
    // One process (node with tsx's loader), so killing it stops the servers too.
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: root,
      env: { ...env, SERVER_PORT: '0', DEMO_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      const appUrl = await new Promise<string>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const found = /app:\s+(http:\S+)/.exec(output);
          if (found) resolve(found[1]!);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) => reject(new Error(`the demo exited (${code}) before it served:\n${output}`)));
      });
      const page = await fetch(appUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('syncline-server');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }, 90_000);
});
