import { DEFAULT_RETRY } from '../protocol/backoff.js';
import { systemClock } from '../platform/clock.js';
import { defaultStorage } from '../platform/defaultStorage.js';
import { createBrowserEnvironment } from '../platform/environment.js';
import { builtinMutators } from '../model/mutators.js';
import type { MutatorDefs } from '../model/mutations.js';
import { withThreadSchema } from '../protocol/schemaConnector.js';
import type { StandardSchemaV1 } from '../model/standardSchema.js';
import type { Message, Mutator } from '../model/types.js';
import { resolveCache } from './cacheOption.js';
import type { SyncClientOptions } from './types.js';
import { createClientTrace } from './metrics/clientTrace.js';
import { traceConnector } from './metrics/traceConnector.js';

export type UntypedClientOptions = SyncClientOptions<Message, MutatorDefs>;

/** The options with every default filled in: what the client's parts are built from. */
export type ClientSetup = ReturnType<typeof resolveSetup>;

/** Fills in the defaults of `createSyncClient`'s options (each documented on SyncClientOptions). */
export function resolveSetup(options: UntypedClientOptions) {
  const threadSchema = options.schemas?.thread;
  const clock = options.clock ?? systemClock;
  // The trace of what the client does (docs/metrics.md); its hook points end in "metrics hook".
  const traced = createClientTrace(clock, options.metrics);
  const schemaChecked = threadSchema ? withThreadSchema(options.connector, threadSchema) : options.connector;
  const storage = options.storage ?? defaultStorage();
  return {
    clock,
    traced,
    connector: traceConnector(schemaChecked, traced.trace, clock),
    environment: options.environment ?? createBrowserEnvironment(clock),
    namespace: options.namespace ?? 'default',
    argSchemas: (options.schemas?.args ?? {}) as Partial<Record<string, StandardSchemaV1>>,
    // No prototype: a write named "constructor" or "toString" is an unknown mutation, not Object's.
    mutators: Object.assign(Object.create(null), builtinMutators, options.mutators) as Record<string, Mutator>,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    batch: { windowMs: 100, maxItems: 50, maxBytes: 256 * 1024, ...options.batch },
    storage,
    // The local copy (docs/local-copy.md): confirmed threads kept between page loads.
    cache: resolveCache(options.cache, options.storage !== undefined),
    staleAfterMs: options.liveness?.staleAfterMs ?? 7000,
    // Tabs of one origin and namespace share one leader's connection (docs/tabs.md); an explicit
    // clientId is one writer's, so that client works alone.
    sharesTabs: options.tabs !== 'alone' && options.clientId === undefined,
  };
}
