/* syncline/ai/react: the status of each chat message beside useChat (docs/ai.md). */
export { ChatMessageStatus, useMessageStatus } from './MessageStatus.js';
export type { ChatMessageStatusLabels, ChatMessageStatusProps } from './MessageStatus.js';
export type { MessageStatus } from '../messageStatus.js';
export { useChatSync } from './useChatSync.js';
export type { ChatSyncTarget } from './useChatSync.js';
