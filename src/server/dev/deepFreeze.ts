/**
 * Deep-freezes a snapshot before it leaves the backend, so no caller can change the server
 * through it. Done when a snapshot is handed out, not on every write: freezing a 10 000-element
 * array costs several times the copy immer makes, and most versions are never handed out.
 * Frozen objects are taken as deeply frozen (the invariant this function keeps).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return Object.freeze(value);
}
