// Fails the test (or, when it comes after the last test, the file) in which an unhandled promise
// rejection or an uncaught exception happens. Vitest alone only lists them as "Unhandled Errors"
// of the whole run, and stops doing even that as soon as anything else listens for them. A Node
// app with default flags would crash on one (docs/testing.md).

interface Leak {
  type: 'unhandled rejection' | 'uncaught exception';
  reason: unknown;
  /** The test running when it happened, if any. */
  during: string | undefined;
}

interface LeakState {
  leaks: Leak[];
}

const KEY = Symbol.for('syncline.test.leaks');
const holder = globalThis as { [KEY]?: LeakState };

function currentTest(): string | undefined {
  try {
    return expect.getState().currentTestName;
  } catch {
    return undefined;
  }
}

/** One listener per process (or page), however many test files the worker runs. */
function install(): LeakState {
  const existing = holder[KEY];
  if (existing) return existing;
  const state: LeakState = { leaks: [] };
  const record = (type: Leak['type'], reason: unknown) => state.leaks.push({ type, reason, during: currentTest() });
  if (typeof process !== 'undefined' && typeof process.on === 'function') {
    process.on('unhandledRejection', (reason) => record('unhandled rejection', reason));
    process.on('uncaughtException', (error) => record('uncaught exception', error));
  } else if (typeof window !== 'undefined') {
    window.addEventListener('unhandledrejection', (event) => {
      event.preventDefault();
      record('unhandled rejection', event.reason);
    });
    window.addEventListener('error', (event) => record('uncaught exception', event.error ?? event.message));
  }
  holder[KEY] = state;
  return state;
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return reason.stack ?? `${reason.name}: ${reason.message}`;
  try {
    return `a non-Error value: ${JSON.stringify(reason)}`;
  } catch {
    return `a non-Error value: ${String(reason)}`;
  }
}

/** Throws one error naming every leak recorded since the last check, and forgets them. */
function throwLeaks(state: LeakState, where: string): void {
  const leaks = state.leaks.splice(0);
  if (leaks.length === 0) return;
  const lines = leaks.map(
    (leak, i) =>
      `#${i + 1} ${leak.type}${leak.during ? ` during "${leak.during}"` : ''}:\n${describeReason(leak.reason)}`,
  );
  const error = new Error(
    `${leaks.length} ${leaks.length === 1 ? 'error' : 'errors'} escaped ${where} ` +
      '(nothing awaited or caught it; a Node app would crash):\n' + lines.join('\n'),
  );
  error.name = 'LeakedRejectionError';
  throw error;
}

// Captured before a test can install fake timers.
const realSetTimeout = globalThis.setTimeout.bind(globalThis);
/** Node reports an unhandled rejection once the microtasks of the current macrotask ran. */
const nextMacrotask = () => new Promise((resolve) => realSetTimeout(resolve, 0));

const state = install();
// Leaks from a test file that ran before this one in the same worker are not this file's.
state.leaks.length = 0;

afterEach(async () => {
  await nextMacrotask();
  throwLeaks(state, `the test "${currentTest() ?? 'unknown'}"`);
});

afterAll(async () => {
  await nextMacrotask();
  throwLeaks(state, 'this test file after its last test (a timer or stream outlived it)');
});
