export type { Clock, TimerId } from './core/clock.js';
export { systemClock } from './core/clock.js';
export type { Environment, EnvironmentEvent } from './core/environment.js';
export { createBrowserEnvironment } from './core/environment.js';
export { SyncError, OutboxFullError, isSyncError } from './core/errors.js';
export type { SyncErrorKind, SyncErrorOptions } from './core/errors.js';
export type {
  BaseMessage,
  Message,
  Thread,
  SyncState,
  ThreadSyncStatus,
  HealthState,
  HealthStatus,
  DegradedReason,
  PendingWrite,
  PendingWriteBase,
  PendingWriteState,
  Mutator,
  WireMutation,
  PushRequest,
  PushResult,
  PushResponse,
  PullRequest,
  PullResponse,
  ServerEvent,
  RequestOptions,
  StreamOptions,
  SyncConnector,
  StoredWrite,
  StoredError,
  OutboxMeta,
  OutboxStorage,
} from './core/types.js';

export { createSyncClient } from './store/createSyncClient.js';
export type { AnySyncClient, SyncClient, SyncClientOptions, SyncSchemas, SyncStore, SyncStoreState } from './store/types.js';
export type {
  BuiltinMutationArgs,
  BuiltinsFor,
  MutationArgs,
  MutationName,
  MutatorDefs,
  NoMutators,
  TypedPendingWrite,
} from './core/mutations.js';
export type { StandardSchemaV1, StandardResult, StandardIssue } from './core/standardSchema.js';
export { createHttpConnector } from './core/httpConnector.js';
export type { HttpConnectorOptions } from './core/httpConnector.js';
export { mergeThreads } from './core/mergeThreads.js';
export { builtinMutators, MutationError, emptyThread } from './core/mutators.js';
export { createMemoryStorage } from './core/memoryStorage.js';
export { createIndexedDbStorage } from './core/indexedDbStorage.js';
export type { IndexedDbStorageOptions } from './core/indexedDbStorage.js';
export { defaultStorage } from './core/defaultStorage.js';
