import { SyncError } from '../model/errors.js';

/** Same-origin redirects followed per request; browsers stop at 20, a sync route needs few. */
const MAX_REDIRECTS = 5;

/** Frees the connection without reading a body nobody needs. */
export function discardBody(res: Response): void {
  res.body?.cancel().catch(() => undefined);
}

/**
 * A redirect syncline does not follow: to another origin (the body would go there, and its answer
 * would be taken for the server's), or one a browser hides (`opaqueredirect`: no Location).
 */
function redirectError(route: string, where: string, res: Response): SyncError {
  discardBody(res);
  return new SyncError(
    'protocol',
    `${route} was redirected ${where}, which syncline does not follow with your data. ` +
      'Set baseUrl to where the server answers; syncline retries.',
    { retryable: true, status: res.status || undefined },
  );
}

/** The URL, or null for one that does not parse (a relative one without `base`, garbage). */
function parseUrl(url: string, base?: string): URL | null {
  try {
    return new URL(url, base);
  } catch {
    return null;
  }
}

const originOf = (url: string) => parseUrl(url)?.origin ?? null;

/**
 * fetch with `redirect: 'manual'`, following redirects within baseUrl's origin by hand, method
 * and body kept (fetch's 'follow' would send the body to any origin before syncline could look).
 * In browsers a redirect is opaque, so none is followed there (docs/protocol.md).
 */
export function createSameOriginFetch(getFetch: () => typeof fetch, baseUrl: string) {
  // Null for a relative baseUrl (a page's own origin): then the first answer's URL tells it.
  const baseOrigin = originOf(baseUrl);
  return async function fetchSameOrigin(url: string, init: RequestInit, route: string): Promise<Response> {
    const doFetch = getFetch();
    for (let hops = 0; ; hops++) {
      const res = await doFetch(url, { ...init, redirect: 'manual' });
      if (res.type === 'opaqueredirect') throw redirectError(route, '(a browser does not say where to)', res);
      const home = baseOrigin ?? originOf(res.url);
      // A fetch that followed anyway (a polyfill): its answer is not taken from another origin.
      if (res.redirected && originOf(res.url) !== home) throw redirectError(route, `to ${originOf(res.url)}`, res);
      if (res.status < 300 || res.status > 399) return res;
      const location = res.headers.get('location');
      const next = location === null ? null : parseUrl(location, res.url || url);
      if (!next || next.origin !== home) throw redirectError(route, next ? `to ${next.origin}` : 'without a usable Location', res);
      if (hops === MAX_REDIRECTS) throw redirectError(route, `more than ${MAX_REDIRECTS} times`, res);
      discardBody(res);
      url = next.href;
    }
  };
}
