import fc from 'fast-check';
import { MutationError, type Message, type Thread } from 'syncline';
import { rig } from '../helpers.js';

/** A message with fields of the app's own, which no built-in knows. */
type Extra = Message & Record<string, unknown>;

/** A server-only mutator: sets any field of a message to any JSON value (a tool result, a flag…). */
const serverOnly = {
  setField(draft: Thread<Extra>, args: { messageId: string; key: string; value: unknown }) {
    const message = draft.messages.find((m) => m.id === args.messageId);
    if (!message) throw new MutationError('not-found', `no message ${args.messageId}`);
    message[args.key] = args.value;
  },
};

const MESSAGES = ['m0', 'm1', 'm2'];
/** A value as the wire carries it: JSON has no -0 (fast-check's jsonValue makes one), so it arrives as 0. */
const wire = (values: fc.Arbitrary<unknown>) => values.map((v) => JSON.parse(JSON.stringify(v)) as unknown);
// Built-in field names too: the app's changes to them must show as well.
const key = fc.constantFrom('parts', 'flagged', 'toolResult', 'meta', 'content', 'status');
const value = (k: string) =>
  k === 'content' ? fc.string({ maxLength: 6 }) : k === 'status' ? fc.constantFrom('streaming', 'done', 'error') : wire(fc.jsonValue({ maxDepth: 3 }));
const change = fc.record({ message: fc.integer({ min: 0, max: MESSAGES.length - 1 }), key }).chain(({ message, key }) =>
  fc.record({ message: fc.constant(message), key: fc.constant(key), value: value(key) }),
);
const step = fc.record({
  changes: fc.array(change, { minLength: 1, maxLength: 4 }),
  /** Between server changes: the stream delivers (live) or a pull does (stream refused). */
  live: fc.boolean(),
});

describe('server changes to any message field (property)', () => {
  it('always reach the view, and messages the server left alone keep their identity', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        const r = await rig<Extra>({}, { mutators: serverOnly });
        const { client, fake, clock } = r;
        client.watch('t1');
        for (const [i, id] of MESSAGES.entries()) {
          const message: Extra = { id, role: 'assistant', content: `c${i}`, createdAt: i, parts: [{ type: 'text', text: `t${i}` }] };
          fake.backend.serverWrite('t1', 'addMessage', { message });
        }
        await r.until(() => client.getThread('t1')?.v === fake.thread('t1')?.v);

        for (const { changes, live } of steps) {
          fake.setFaults(live ? {} : { stream: { refuse: true } });
          const before = client.getThread('t1')!;
          for (const c of changes) {
            fake.backend.serverWrite('t1', 'setField', { messageId: MESSAGES[c.message]!, key: c.key, value: c.value });
          }
          const synced = client.syncImmediately('t1').catch(() => {});
          await r.until(() => client.getThread('t1')?.v === fake.thread('t1')?.v);
          await synced;
          const view = client.getThread('t1')!;
          const server = fake.thread('t1')!;
          expect(view).toEqual(server);
          for (const [i, message] of view.messages.entries()) {
            const unchanged = JSON.stringify(server.messages[i]) === JSON.stringify(before.messages[i]);
            if (unchanged) expect(message).toBe(before.messages[i]);
          }
        }
        client.dispose();
        fake.close();
        await clock.advanceAsync(0);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
