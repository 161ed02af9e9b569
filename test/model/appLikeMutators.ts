import fc from 'fast-check';
import { produce } from 'immer';
import { builtinMutators } from '../../src/model/mutators.js';
import type { Message, Thread } from '../../src/model/types.js';

/** A message as apps shape them: the built-in fields plus nested parts. */
export type AppMessage = Message & { parts?: { type: string; text: string }[]; extra?: Record<string, unknown> };
export type AppThread = Thread<AppMessage>;

export const appMessage = (id: string, content = '', createdAt = 1): AppMessage => ({ id, role: 'assistant', content, createdAt });

export function appThread(v: number, messages: AppMessage[], extra: Partial<AppThread> = {}): AppThread {
  // frozen like the store's immer objects: any mutation throws
  return produce({ id: 't1', v: 0, messages: [], createdAt: 1 } as AppThread, (d) => {
    Object.assign(d, extra);
    d.v = v;
    d.messages = messages;
  });
}

/** One random step: a built-in mutator or an app-like one (nested parts, meta, splices, moves). */
export interface Step {
  kind: number;
  n: number;
  m: number;
  text: string;
}

export const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.nat({ max: 19 }),
  n: fc.nat({ max: 30 }),
  m: fc.nat({ max: 30 }),
  text: fc.string({ maxLength: 6 }),
});

/** Applies one step to a draft; a built-in that refuses its args changes nothing. */
export function applyStep(draft: AppThread, { kind, n, m, text }: Step) {
  const messages = draft.messages;
  const id = `m${n % 8}`;
  const pick = messages.length ? messages[n % messages.length]! : null;
  const builtin = (name: string, args: unknown) => {
    try {
      builtinMutators[name]!(draft as Thread, args);
    } catch {
      // refused: nothing changed (built-ins validate first)
    }
  };
  switch (kind) {
    case 0:
    case 1:
      return builtin('addMessage', { message: appMessage(id, text, m) });
    case 2:
      return builtin('editMessage', { messageId: id, content: text });
    case 3:
      return builtin('deleteMessage', { messageId: id });
    case 4:
      return builtin('setTitle', { title: text });
    case 5:
    case 6:
      return builtin('appendDelta', { messageId: id, text });
    case 7:
      if (pick) (pick.parts ??= []).push({ type: 'text', text });
      return;
    case 8:
      if (pick?.parts?.length) pick.parts[m % pick.parts.length]!.text += text;
      return;
    case 9:
      if (pick?.parts?.length) pick.parts.splice(m % pick.parts.length, 1);
      return;
    case 10:
      (draft.meta ??= {})[`k${m % 3}`] = text;
      return;
    case 11:
      if (draft.meta) delete draft.meta[`k${m % 3}`];
      return;
    case 12:
      messages.splice(m % (messages.length + 1), 0, appMessage(`x${n}-${m}-${text}`, text));
      return;
    case 13:
      if (pick) messages.splice(m % messages.length, 1);
      return;
    case 14:
      if (pick) {
        const [moved] = messages.splice(n % messages.length, 1);
        messages.splice(m % (messages.length + 1), 0, moved!);
      }
      return;
    case 15:
      if (pick) pick.status = text.length % 2 ? 'done' : undefined;
      return;
    case 16:
      if (pick) pick.extra = { deep: { list: [text, m], flag: n % 2 === 0 } };
      return;
    case 17:
      if (pick?.extra) (pick.extra.deep as { list: unknown[] }).list?.push(text);
      return;
    case 18:
      if (pick) messages[n % messages.length] = { ...appMessage(pick.id, text), parts: [{ type: 'x', text }] };
      return;
    default:
      if (m % 4 === 0) messages.reverse();
      else if (m % 4 === 1) delete draft.title;
      else if (pick) pick.content = text + pick.content; // a prefix, not an append
      else draft.createdAt = m;
  }
}
