export { createDevServer } from './devServer.js';
export type { DevServer, DevServerOptions, DevServerStats } from './devServer.js';
export type { Faults, StreamFaults } from '../testing/faults.js';
