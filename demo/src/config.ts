/**
 * The page's settings, read once from the query string, so tests can point it at their own dev
 * server and shorten its timers: `/?server=http://127.0.0.1:4000&staleAfterMs=2000&test`.
 * Without `?server=`, the `<meta name="syncline-server">` tag that demo/vite.config.ts adds.
 */
export interface DemoConfig {
  /** The dev server's URL (`?server=`). */
  serverUrl: string;
  /** Separates outboxes and thread lists in one browser (`?ns=`). */
  namespace: string;
  /** Exposes the client as `window.__synclineClient` (`?test`). */
  test: boolean;
  timeoutMs?: number;
  retry: { baseMs?: number; maxMs?: number };
  liveness: { staleAfterMs?: number };
  poll: { activeMs?: number; idleMs?: number };
  /** `?tabs=alone`: this tab keeps its own connection instead of sharing the leader's. */
  tabs: 'shared' | 'alone';
}

/** Where `npm run server` listens by default. */
const DEFAULT_SERVER = 'http://127.0.0.1:8787';

function numberParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.warn(`[demo] ignoring ?${name}=${raw}: expected a number ≥ 0`);
    return undefined;
  }
  return value;
}

/** Drops undefined fields, so the library's defaults apply to what the URL leaves out. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The page's settings; the chat page (demo/chat.html) reads its own server's tag and default. */
export function readConfig(search: string, server: { meta: string; fallback: string } = { meta: 'syncline-server', fallback: DEFAULT_SERVER }): DemoConfig {
  const params = new URLSearchParams(search);
  const fromPage = document.querySelector<HTMLMetaElement>(`meta[name="${server.meta}"]`)?.content;
  const serverUrl = (params.get('server') || fromPage || server.fallback).replace(/\/+$/, '');
  return {
    serverUrl,
    namespace: params.get('ns') || 'demo',
    test: params.has('test'),
    timeoutMs: numberParam(params, 'timeoutMs'),
    retry: defined({ baseMs: numberParam(params, 'retryBaseMs'), maxMs: numberParam(params, 'retryMaxMs') }),
    liveness: defined({ staleAfterMs: numberParam(params, 'staleAfterMs') }),
    poll: defined({ activeMs: numberParam(params, 'pollMs'), idleMs: numberParam(params, 'idleMs') }),
    tabs: params.get('tabs') === 'alone' ? 'alone' : 'shared',
  };
}
