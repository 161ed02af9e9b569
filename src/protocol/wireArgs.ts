import { SyncError } from '../model/errors.js';

/** Why JSON cannot carry `value` as it is, or null when it can. */
function problem(value: unknown): string | null {
  const type = typeof value;
  if (type === 'string' || type === 'boolean' || value === null) return null;
  if (type === 'number') return Number.isFinite(value) ? null : String(value);
  if (type !== 'object') return type === 'undefined' ? type : `a ${type}`;
  // Plain data only: an object of its own prototype (or none), or an array.
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  if (proto === null || proto === Object.prototype || (proto === Array.prototype && Array.isArray(value))) return null;
  return `a ${proto.constructor?.name || 'class instance'}`;
}

/**
 * A copy of `args` as the wire will carry it, or an `invalid-args` SyncError naming the first
 * path JSON cannot carry faithfully (a bigint, a cycle, a function, a symbol, a class instance
 * such as Map or Date, NaN or Infinity). Checked in `mutate`, before anything is queued: a write
 * that cannot be serialised would otherwise fail inside the push, long after the caller left.
 * An `undefined` object property is dropped, as JSON drops it.
 */
export function copyWireArgs(args: unknown, name: string): unknown {
  const ancestors = new Set<object>();
  const refuse = (path: string, what: string) =>
    new SyncError('rejected', `${name}: ${path} is ${what}, which JSON cannot carry; pass plain data.`, {
      code: 'invalid-args',
    });

  const copy = (value: unknown, path: string): unknown => {
    const what = problem(value);
    if (what) throw refuse(path, what);
    if (typeof value !== 'object' || value === null) return value;
    if (ancestors.has(value)) throw refuse(path, 'a cycle (it contains itself)');
    ancestors.add(value);
    let out: unknown;
    if (Array.isArray(value)) out = value.map((item: unknown, i) => copy(item, `${path}[${i}]`));
    else {
      const record: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined) continue;
        // A key named __proto__ stays an ordinary key of the copy, as JSON.parse makes it.
        Object.defineProperty(record, key, { value: copy(item, `${path}.${key}`), enumerable: true, writable: true, configurable: true });
      }
      out = record;
    }
    ancestors.delete(value);
    return out;
  };
  return copy(args, 'args');
}
