import type { Thread } from '../model/types.js';
import type { ThreadBook } from './threadBook.js';

/**
 * For syncline's own tests, imported from src/ (the package does not export it): what a client
 * holds as confirmed by the server, which the store no longer publishes (the app reads views).
 */
const books = new WeakMap<object, ThreadBook>();

export function registerBook(client: object, book: ThreadBook): void {
  books.set(client, book);
}

export function confirmedThread(client: object, threadId: string): Thread | undefined {
  return books.get(client)?.confirmed(threadId);
}
