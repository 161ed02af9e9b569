import type { BaseMessage, Message, Mutator, PendingWrite } from './types.js';

/**
 * Types only: how the app's message type and mutators become the names and args `mutate` accepts
 * (as Replicache's `MakeMutators` derives `rep.mutate.x(args)` from the mutator definitions).
 */

/** The app's own mutators, by name: `(draft: Thread<M>, args: A) => void`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MutatorDefs<M extends BaseMessage = Message> = Record<string, Mutator<M, any>>;

/** No mutators of the app's own: only the built-ins. */
export type NoMutators = Record<never, never>;

/** The args of each built-in mutator. */
export interface BuiltinMutationArgs<M extends BaseMessage = Message> {
  addMessage: { message: M };
  editMessage: { messageId: string; content: string };
  deleteMessage: { messageId: string };
  setTitle: { title: string };
  appendDelta: { messageId: string; text: string };
}

/**
 * The built-ins a model can use: all of them when its messages have the default `Message` fields
 * (role, content, createdAt), else only those that touch no message field.
 */
export type BuiltinsFor<M extends BaseMessage> = [M] extends [Message]
  ? BuiltinMutationArgs<M>
  : Pick<BuiltinMutationArgs<M>, 'deleteMessage' | 'setTitle'>;

/** Each mutator's args, read from its second parameter. */
export type ArgsOfMutators<D> = {
  [N in keyof D & string]: D[N] extends (draft: never, args: infer A) => void ? A : never;
};

/** Every name `mutate` accepts, with its args: the built-ins plus the app's (which win a clash). */
export type MutationArgs<M extends BaseMessage = Message, D = NoMutators> = Omit<BuiltinsFor<M>, keyof D> &
  ArgsOfMutators<D>;

/** The names `mutate` accepts. */
export type MutationName<M extends BaseMessage = Message, D = NoMutators> = keyof MutationArgs<M, D> & string;

/** A pending write of this model: `write.name` narrows `write.args`. */
export type TypedPendingWrite<M extends BaseMessage = Message, D = NoMutators> = PendingWrite<MutationArgs<M, D>>;
