export { createFakeClock, seededRandom, settle } from './fakeClock.js';
export type { FakeClock } from './fakeClock.js';
export { createFakeEnvironment } from './fakeEnvironment.js';
export type { FakeEnvironment } from './fakeEnvironment.js';
