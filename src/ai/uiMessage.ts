import type { BaseMessage } from '../model/types.js';

/*
 * The AI SDK's `UIMessage` (`ai`, AI SDK 6 and 7) as a syncline message (docs/ai.md): its
 * `parts` are stored as the SDK builds them, so `toUIMessage` hands `useChat` exactly what
 * `readUIMessageStream` would have. Declared structurally here so that syncline/ai compiles and
 * runs without `ai` installed (an optional peer).
 */

/** One part of a UIMessage: `text`, `reasoning`, `tool-*`, `dynamic-tool`, `data-*`, `file`, `source-*`, `step-start`, … */
export interface UIPart {
  type: string;
  [key: string]: unknown;
}

/** Where a reply's run is: `running` while chunks arrive, then how it ended. */
export type RunStatus = 'running' | 'complete' | 'aborted' | 'error';

/** What streaming a reply needs besides the parts: never shown to the AI SDK (see `toUIMessage`). */
export interface RunState {
  status: RunStatus;
  /** The `error` chunk's text, or why the run was aborted. */
  errorText?: string;
  finishReason?: string;
  /**
   * The server's clock (ms) at the run's last heartbeat: streamToThread beats while the model is
   * quiet, so a reply that changes nothing for long while the page hears the server has lost its
   * process (docs/ai.md).
   */
  beatAt?: number;
  /** Open text parts: the chunk's id → the part's index. */
  text: Record<string, number>;
  /** Open reasoning parts: the chunk's id → the part's index. */
  reasoning: Record<string, number>;
  /** Tool calls whose input is streaming: toolCallId → the input text so far and the call's fields. */
  tools: Record<string, PartialToolCall>;
  /** Chunks this version does not know or could not place, kept (bounded, `MAX_KEPT_CHUNKS`) rather than dropped. */
  kept: unknown[];
}

export interface PartialToolCall {
  text: string;
  toolName: string;
  dynamic?: boolean;
  inputEncoding?: string;
  title?: string;
  toolMetadata?: unknown;
}

/** A UIMessage stored in a syncline thread. */
export interface SyncUIMessage extends BaseMessage {
  id: string;
  role: 'system' | 'user' | 'assistant';
  parts: UIPart[];
  metadata?: unknown;
  /** Present on an assistant reply produced through `streamToThread`. */
  run?: RunState;
}

/** The chunks kept per message; past it the oldest go (they only ever help debugging). */
export const MAX_KEPT_CHUNKS = 64;

/** The reply to user message `userMessageId`, as `startRun` (syncline/ai/server) stores it. */
export const replyIdFor = (userMessageId: string) => `reply-${userMessageId}`;

/** The message as the AI SDK knows it: without syncline's run state. */
export function toUIMessage(message: SyncUIMessage): Omit<SyncUIMessage, 'run'> {
  const { run: _run, ...rest } = message;
  return rest;
}
