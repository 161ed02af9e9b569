/** Cursors are decimal whole numbers as strings, without leading zeros: compare without parsing (they may pass 2^53). */
export function cursorAfter(a: string, b: string): boolean {
  return a.length === b.length ? a > b : a.length > b.length;
}

export const isCursor = (value: string): boolean => /^(0|[1-9]\d{0,30})$/.test(value);
