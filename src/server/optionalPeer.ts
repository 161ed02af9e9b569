import type * as Pg from 'pg';
import type * as Redis from 'redis';

/*
 * The optional peers (`pg`, `redis`) are loaded only when a store or bus built from a URL asks
 * for them. Bundlers resolve every `import('x')` they can read, and fail the build of an app that
 * never installed the peer (Next.js 16 with Turbopack: "Module not found: Can't resolve 'redis'").
 * A specifier held in a variable, plus the comments webpack and Turbopack honour, keeps the
 * import for Node to resolve at run time (docs/server.md, "Next.js").
 */

interface OptionalPeers {
  pg: typeof Pg;
  redis: typeof Redis;
}

export function importOptionalPeer<Name extends keyof OptionalPeers>(name: Name): Promise<OptionalPeers[Name]> {
  const specifier: string = name;
  return import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ specifier) as Promise<OptionalPeers[Name]>;
}
