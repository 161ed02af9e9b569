import { SyncError } from './errors.js';

/** What JSON carries as it is: a plain object (its own prototype or none) or an array. */
function plainKind(value: object): 'array' | 'object' | null {
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype ? 'array' : null;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null ? 'object' : null;
}

function describe(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${value}, which JSON sends as null`;
    case 'bigint':
      return 'a BigInt';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    case 'undefined':
      return 'undefined';
  }
  if (value === null || plainKind(value as object)) return null;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return `an instance of ${typeof name === 'string' && name ? name : 'a class'}`;
}

/**
 * A copy of `args` as the wire will carry it, or an `invalid-args` SyncError naming the first
 * path JSON cannot carry faithfully (BigInt, cycles, functions, symbols, class instances such as
 * Map or Date, NaN and Infinity). Checked in `mutate`, before anything is queued, because a
 * write that cannot be serialised would otherwise fail inside the push, long after the caller left.
 * An `undefined` object property is dropped, as JSON drops it.
 */
export function copyWireArgs(args: unknown, name: string): unknown {
  const ancestors = new Set<object>();
  const refuse = (path: string, what: string) =>
    new SyncError('rejected', `${name}: ${path} is ${what}; the wire carries only plain JSON data.`, {
      code: 'invalid-args',
      retryable: false,
    });

  const copy = (value: unknown, path: string): unknown => {
    const problem = describe(value);
    if (problem) throw refuse(path, problem);
    if (typeof value !== 'object' || value === null) return value;
    if (ancestors.has(value)) throw refuse(path, 'a cycle (it contains itself)');
    ancestors.add(value);
    let out: unknown;
    if (Array.isArray(value)) out = value.map((item: unknown, i) => copy(item, `${path}[${i}]`));
    else {
      const record: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        const itemCopy = copy(item, `${path}.${key}`);
        // A key named __proto__ stays an ordinary key of the copy, as JSON.parse makes it.
        if (key === '__proto__') Object.defineProperty(record, key, { value: itemCopy, enumerable: true, writable: true, configurable: true });
        else record[key] = itemCopy;
      }
      out = record;
    }
    ancestors.delete(value);
    return out;
  };
  return copy(args, 'args');
}
