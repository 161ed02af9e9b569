/*
 * syncline/ai: the AI SDK's UIMessage as a syncline thread (docs/ai.md). `ai` is an optional
 * peer: this entry only declares its shapes structurally.
 */
export { aiMutators, isUIMessage, MAX_CHUNKS_PER_WRITE } from './mutators.js';
export type { AIMutations } from './mutators.js';
export { applyChunk } from './applyChunk.js';
export { followReply } from './replyChunks.js';
export { messageStatus } from './messageStatus.js';
export type { MessageStatus } from './messageStatus.js';
export type { ReplyFollower } from './replyChunks.js';
export { toUIMessage, replyIdFor, MAX_KEPT_CHUNKS } from './uiMessage.js';
export { createChatTransport, loadChat, toUIMessages } from './chatTransport.js';
export type { ChatTransportOptions } from './chatTransport.js';
export type { RunState, RunStatus, SyncUIMessage, UIPart, PartialToolCall } from './uiMessage.js';
