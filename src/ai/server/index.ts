/* syncline/ai/server: stores an AI SDK reply stream in a thread (docs/ai.md). Node-only, like syncline/server. */
export { streamToThread, readHistory, startRun } from './streamToThread.js';
export type { StreamToThreadOptions, StartRunOptions } from './streamToThread.js';
export { createChatHandler } from './chatHandler.js';
export type { ChatHandlerOptions, ChatReplyContext } from './chatHandler.js';
