// Fails the test (or, when it comes after the last test, the file) in which an unhandled promise
// rejection or an uncaught exception happens. Vitest alone only lists them as "Unhandled Errors"
// of the whole run, and stops doing even that as soon as anything else listens for them. A Node
// app with default flags would crash on one (docs/testing.md). What happens after a file's last
// hook is left to Vitest's own report.

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

function currentTest(): string | undefined {
  try {
    return expect.getState().currentTestName;
  } catch {
    return undefined;
  }
}

/**
 * Listens for the file's lifetime only. Between files Vitest's own handler is the only one left,
 * so it reports what happens there as usual (it stays silent while anything else listens).
 */
function listen(state: LeakState): () => void {
  const record = (type: Leak['type'], reason: unknown) => state.leaks.push({ type, reason, during: currentTest() });
  if (typeof process !== 'undefined' && typeof process.on === 'function') {
    const onRejection = (reason: unknown) => record('unhandled rejection', reason);
    const onException = (error: unknown) => record('uncaught exception', error);
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    return () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    };
  }
  const onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    record('unhandled rejection', event.reason);
  };
  const onError = (event: ErrorEvent) => record('uncaught exception', event.error ?? event.message);
  window.addEventListener('unhandledrejection', onRejection);
  window.addEventListener('error', onError);
  return () => {
    window.removeEventListener('unhandledrejection', onRejection);
    window.removeEventListener('error', onError);
  };
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

const state: LeakState = { leaks: [] };
// Where a test can read how many leaks were seen so far (test/integration/fuzz.test.ts does).
(globalThis as { [KEY]?: LeakState })[KEY] = state;
const stopListening = listen(state);

afterEach(async () => {
  await nextMacrotask();
  throwLeaks(state, `the test "${currentTest() ?? 'unknown'}"`);
});

afterAll(async () => {
  await nextMacrotask();
  stopListening();
  throwLeaks(state, 'this test file after its last test (a timer or stream outlived it)');
});
