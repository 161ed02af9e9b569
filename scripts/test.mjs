// `npm test`: type check, lint, then every vitest project (Node, jsdom, Chromium, stories, e2e).
// Ends with one plain line "N passed, N failed" so any CI can read the outcome.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const run = (label, cmd, args) => {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  return r.status === 0;
};

let ok = run('type check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
ok = run('lint', 'npx', ['eslint', '--max-warnings=0', '.']) && ok;
// The package as users get it: built, then publint --strict and attw (types for every subpath).
ok = run('package', 'npm', ['run', '--silent', 'check:package']) && ok;
mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
const vitestOk = run('tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);
ok = vitestOk && ok;

let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (skipped > 0) {
    console.error(`${skipped} test(s) were skipped: nothing may be skipped silently.`);
    ok = false;
  }
}
if (!vitestOk && failed === 0) failed = 1;
if (!ok && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
