import type { Message, SyncClient } from 'syncline';
import { createSyncHooks } from 'syncline/react';

/**
 * The demo's own message model, as an AI-chat app declares it: the default fields (the built-in
 * mutators and other clients read `content`) plus parts, as the common AI SDKs model them.
 */
export type Part =
  | { type: 'text'; text: string }
  /** A tool call the assistant made; the server fills `result` in once the tool answered. */
  | { type: 'tool-call'; callId: string; tool: string; input: unknown; result?: unknown };

export interface DemoMessage extends Message {
  /** Absent on messages written by clients that know no parts. */
  parts?: Part[];
}

export type DemoClient = SyncClient<DemoMessage>;

/** The hooks, typed once with the demo's model (docs/typing.md). */
export const { useThread, usePendingItems } = createSyncHooks<DemoClient>();
