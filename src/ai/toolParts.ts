import type { PartialToolCall, SyncUIMessage, UIPart } from './uiMessage.js';

/*
 * Tool parts as the AI SDK's processUIMessageStream builds them (node_modules/ai/dist/index.js,
 * updateToolPart / updateDynamicToolPart): a static tool is `tool-<name>`, a dynamic one
 * `dynamic-tool` with its `toolName`. Reproduced field for field so that a stored reply equals
 * what `readUIMessageStream` yields (test/ai/chunkProperty.test.ts).
 */

export interface ToolUpdate {
  toolCallId: string;
  toolName: string;
  state: string;
  input?: unknown;
  output?: unknown;
  errorText?: string;
  rawInput?: unknown;
  inputEncoding?: string;
  preliminary?: boolean;
  providerExecuted?: boolean;
  providerMetadata?: unknown;
  title?: string;
  toolMetadata?: unknown;
}

export function isToolPart(part: UIPart): boolean {
  return part.type === 'dynamic-tool' || part.type.startsWith('tool-');
}

/** The index of the first part of the current step (after the last `step-start`). */
function stepStart(parts: readonly UIPart[]): number {
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i]!.type === 'step-start') return i + 1;
  return 0;
}

/** The tool part of `toolCallId` in the current step, else the latest one in the message, or -1. */
export function findToolPart(parts: readonly UIPart[], toolCallId: string, currentStepOnly = false): number {
  const start = stepStart(parts);
  for (let i = start; i < parts.length; i++) if (isToolPart(parts[i]!) && parts[i]!.toolCallId === toolCallId) return i;
  if (currentStepOnly) return -1;
  for (let i = start - 1; i >= 0; i--) if (isToolPart(parts[i]!) && parts[i]!.toolCallId === toolCallId) return i;
  return -1;
}

function isResult(state: string) {
  return state === 'output-available' || state === 'output-error';
}

/** Updates the tool part (given, or found in the current step) or pushes a new one. */
export function updateToolPart(message: SyncUIMessage, update: ToolUpdate, dynamic: boolean, existing = -1) {
  const parts = message.parts;
  let at = existing;
  if (at < 0) {
    const start = stepStart(parts);
    for (let i = start; i < parts.length && at < 0; i++) {
      const p = parts[i]!;
      const matches = dynamic ? p.type === 'dynamic-tool' : p.type !== 'dynamic-tool' && p.type.startsWith('tool-');
      if (matches && p.toolCallId === update.toolCallId) at = i;
    }
  }
  const metaKey = isResult(update.state) ? 'resultProviderMetadata' : 'callProviderMetadata';
  if (at >= 0) {
    const part = parts[at]!;
    part.state = update.state;
    if (dynamic) part.toolName = update.toolName;
    else part.type = `tool-${update.toolName}`;
    part.input = update.input;
    part.output = update.output;
    part.errorText = update.errorText;
    part.rawInput = update.rawInput;
    if (update.inputEncoding != null) part.inputEncoding = update.inputEncoding;
    else delete part.inputEncoding;
    part.preliminary = update.preliminary;
    if (update.title !== undefined) part.title = update.title;
    if (update.toolMetadata !== undefined) part.toolMetadata = update.toolMetadata;
    part.providerExecuted = update.providerExecuted ?? part.providerExecuted;
    if (update.providerMetadata != null) part[metaKey] = update.providerMetadata;
    return;
  }
  const head: UIPart = dynamic
    ? { type: 'dynamic-tool', toolName: update.toolName, toolCallId: update.toolCallId, state: update.state }
    : { type: `tool-${update.toolName}`, toolCallId: update.toolCallId, state: update.state, title: update.title };
  parts.push({
    ...head,
    ...(update.toolMetadata !== undefined && !dynamic ? { toolMetadata: update.toolMetadata } : {}),
    input: update.input,
    ...(update.inputEncoding != null ? { inputEncoding: update.inputEncoding } : {}),
    output: update.output,
    ...(dynamic ? {} : { rawInput: update.rawInput }),
    errorText: update.errorText,
    providerExecuted: update.providerExecuted,
    preliminary: update.preliminary,
    ...(dynamic ? { title: update.title } : {}),
    ...(update.toolMetadata !== undefined && dynamic ? { toolMetadata: update.toolMetadata } : {}),
    ...(update.providerMetadata != null ? { [metaKey]: update.providerMetadata } : {}),
  });
}

/** The streamed input so far: text as is, JSON once it parses (the SDK parses partial JSON; the final input comes with `tool-input-available`). */
export function partialInput(call: PartialToolCall, previous: unknown): unknown {
  if (call.inputEncoding === 'text') return call.text;
  try {
    return JSON.parse(call.text) as unknown;
  } catch {
    return previous;
  }
}
