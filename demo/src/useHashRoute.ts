import { useSyncExternalStore } from 'react';

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};
const getHash = () => location.hash;

/** The chat open in the URL (`#/t/<id>`), or null. */
export function useSelectedThread(): string | null {
  const hash = useSyncExternalStore(subscribe, getHash);
  const match = /^#\/t\/(.+)$/.exec(hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}

export const threadHref = (threadId: string) => `#/t/${encodeURIComponent(threadId)}`;
