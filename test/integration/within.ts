/** Resolves once `done()` holds, with the real time it took; fails after `withinMs` (loopback tests only). */
export async function within(withinMs: number, done: () => boolean): Promise<number> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}
