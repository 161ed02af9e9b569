// `npm test`: type check, lint, the package check, every vitest project (Node, jsdom with React 19
// and React 18, the AI SDK's chunks on 6 as on 7, Chromium, stories), then the end-to-end tests on their own: they measure the page's long tasks, which a
// busy machine would distort. Ends with one plain line "N passed, N failed" for any CI to read.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const run = (label, cmd, args) => {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  return r.status === 0;
};

let ok = run('type check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
ok = run('lint', 'npx', ['eslint', '--max-warnings=0', '.']) && ok;
// The package as users get it: built, then publint --strict and attw (types for every subpath).
ok = run('package', 'npm', ['run', '--silent', 'check:package']) && ok;

// React 18 lives in its own small install, so the hook and component tests run on both majors.
if (!existsSync('test/react18/node_modules/react')) {
  ok = run('React 18 fixture', 'npm', ['ci', '--prefix', 'test/react18', '--no-audit', '--no-fund']) && ok;
}
// AI SDK 6 likewise, so the chunk mapping is checked against both majors (docs/ai.md).
if (!existsSync('test/ai6/node_modules/ai')) {
  ok = run('AI SDK 6 fixture', 'npm', ['ci', '--prefix', 'test/ai6', '--no-audit', '--no-fund']) && ok;
}

mkdirSync('test-results', { recursive: true });
const suites = [
  ['tests', 'test-results/vitest.json', ['--project', 'unit', '--project', 'dom', '--project', 'react18', '--project', 'ai6', '--project', 'browser', '--project', 'storybook']],
  ['end-to-end, alone', 'test-results/vitest-e2e.json', ['--project', 'e2e']],
];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const [label, report, projects] of suites) {
  rmSync(report, { force: true });
  const suiteOk = run(label, 'npx', ['vitest', 'run', ...projects, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);
  ok = suiteOk && ok;
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed += r.numPassedTests ?? 0;
    failed += (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  } else if (!suiteOk) {
    failed += 1;
  }
}
if (skipped > 0) {
  console.error(`${skipped} test(s) were skipped: nothing may be skipped silently.`);
  ok = false;
}
if (!ok && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
