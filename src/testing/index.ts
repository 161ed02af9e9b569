export { createFakeClock, seededRandom, settle } from './fakeClock.js';
export type { FakeClock } from './fakeClock.js';
export { createFakeEnvironment } from './fakeEnvironment.js';
export type { FakeEnvironment, FakeLocks } from './fakeEnvironment.js';
export { createFakeTabs } from './fakeTabs.js';
export type { FakeTabs, FakeTabPage } from './fakeTabs.js';
export { createFakeBackend } from './fakeBackend.js';
export { createFullStorage } from './fullStorage.js';
export type { FakeBackend, FakeBackendOptions, FakeBackendStats } from './fakeBackend.js';
export { createReferenceBackend, BackendRequestError, SERVER_CLIENT_ID } from '../server/dev/referenceBackend.js';
export type {
  ReferenceBackend,
  ReferenceBackendOptions,
  AppliedMutation,
  BackendStats,
  WriteResult,
} from '../server/dev/referenceBackend.js';
export { normalizeFaults } from '../server/dev/faults.js';
export type { Faults, StreamFaults } from '../server/dev/faults.js';
export { streamReply } from '../server/dev/assistantReply.js';
export type { AssistantReply, ReplyOptions, ReplyOutcome, AutoReplyOptions } from '../server/dev/assistantReply.js';
