/**
 * The store's records keyed by thread id (`threads`, `status`, …): immutable, without a
 * prototype (`__proto__` and `constructor` are ids like any other), and copied on write in
 * O(n / 256): ids are hashed into 256 buckets behind a Proxy, so a commit that changes one
 * thread of 3 000 copies one small bucket, not the record (docs/design-changes.md).
 */
const BUCKETS = 256;

type Buckets<T> = Array<Map<string, T> | undefined>;

/** The buckets behind each record this module made. */
const bucketsOf = new WeakMap<object, Buckets<unknown>>();

function bucketOf(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return hash & (BUCKETS - 1);
}

function makeRecord<T>(buckets: Buckets<T>): Record<string, T> {
  const read = (key: string | symbol) => (typeof key === 'string' ? buckets[bucketOf(key)]?.get(key) : undefined);
  const record = new Proxy(Object.create(null) as Record<string, T>, {
    get: (_, key) => read(key),
    has: (_, key) => read(key) !== undefined,
    ownKeys: () => buckets.flatMap((bucket) => (bucket ? [...bucket.keys()] : [])),
    getOwnPropertyDescriptor(_, key) {
      const value = read(key);
      return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
    },
    // Snapshots handed to subscribers never change.
    set: () => false,
    deleteProperty: () => false,
    defineProperty: () => false,
  });
  bucketsOf.set(record, buckets);
  return record;
}

export const emptyRecord = <T>(): Record<string, T> => makeRecord<T>([]);

/**
 * Copy-on-write for one record across one commit: `get()` is `prev` itself until a value
 * changes; then only the buckets written to are copied.
 */
export function recordWriter<T>(prev: Record<string, T>) {
  const before = (bucketsOf.get(prev) ?? []) as Buckets<T>;
  let after: Buckets<T> | null = null;
  const copied = new Set<number>();
  return {
    set(id: string, value: T | undefined) {
      if (prev[id] === value && !after) return;
      const b = bucketOf(id);
      const current = (after ?? before)[b];
      if (current?.get(id) === value) return;
      after ??= before.slice();
      let bucket = after[b];
      if (!copied.has(b)) {
        copied.add(b);
        bucket = after[b] = new Map(current);
      }
      if (value === undefined) bucket!.delete(id);
      else bucket!.set(id, value);
    },
    get: () => (after ? makeRecord(after) : prev),
  };
}
