/**
 * Joins the library's `syncline-*` class (dropped when `unstyled`) with the user's `className`.
 * The user's class always survives: `unstyled` only removes what syncline brought.
 */
export function classNames(unstyled: boolean | undefined, own: string, user?: string): string | undefined {
  const joined = [unstyled ? '' : own, user ?? ''].filter(Boolean).join(' ');
  return joined === '' ? undefined : joined;
}
