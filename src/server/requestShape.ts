import type { PullRequest, PushRequest, WireMutation } from '../protocol/wire.js';
import { isRecord } from '../model/isRecord.js';

/*
 * The server's view of a request body: a whole request is checked before anything is applied, so
 * a malformed push changes nothing (it is answered 400). Every store gets the same ids
 * (docs/server.md, "Ids"): well-formed UTF-16, no U+0000, at most MAX_ID_LENGTH units, so no
 * store can fold two ids into one (PostgreSQL text would) or refuse a long one with a 500.
 */

/** The longest thread, message, client or mutation id, in UTF-16 code units. */
export const MAX_ID_LENGTH = 256;

/** With the `u` flag a surrogate pair is one code point: only a lone half matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Why `id` is not a usable id, or `null`. */
function idProblem(id: string): string | null {
  if (id.length > MAX_ID_LENGTH) return `is ${id.length} UTF-16 units long; ids are at most ${MAX_ID_LENGTH}`;
  if (id.includes('\u0000')) return 'contains U+0000';
  if (LONE_SURROGATE.test(id)) return 'contains a lone surrogate (not well-formed UTF-16)';
  return null;
}

function checkId(id: string, field: string): void {
  const problem = idProblem(id);
  if (problem !== null) fail(`${field} ${problem}`);
}

/** The message ids a built-in mutation names (`args.messageId`, `args.message.id`). */
function checkMessageIds(args: unknown, at: string): void {
  if (!isRecord(args)) return;
  if (typeof args.messageId === 'string') checkId(args.messageId, `${at}.args.messageId`);
  if (isRecord(args.message) && typeof args.message.id === 'string') checkId(args.message.id, `${at}.args.message.id`);
}

function fail(problem: string): never {
  throw new TypeError(`${problem}. See docs/protocol.md for the protocol v1 request shapes.`);
}

const isWhole = (v: unknown, min: number): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

function parseMutation(value: unknown, index: number): WireMutation {
  const at = `mutations[${index}]`;
  if (!isRecord(value)) fail(`${at} is not an object`);
  if (!isWhole(value.seq, 1)) fail(`${at}.seq must be a whole number ≥ 1`);
  if (typeof value.id !== 'string') fail(`${at}.id must be a string`);
  checkId(value.id, `${at}.id`);
  if (typeof value.threadId !== 'string' || value.threadId === '') fail(`${at}.threadId must be a non-empty string`);
  checkId(value.threadId, `${at}.threadId`);
  if (typeof value.name !== 'string' || value.name === '') fail(`${at}.name must be a non-empty string`);
  if (typeof value.createdAt !== 'number' || !Number.isFinite(value.createdAt)) fail(`${at}.createdAt must be a number`);
  checkMessageIds(value.args, at);
  return value as unknown as WireMutation;
}

/** @throws TypeError saying what is wrong. */
export function parsePushRequest(value: unknown): PushRequest {
  if (!isRecord(value)) fail('The push body is not a JSON object');
  if (typeof value.clientId !== 'string' || value.clientId === '') fail('clientId must be a non-empty string');
  checkId(value.clientId, 'clientId');
  if (!isWhole(value.epoch, 0)) fail('epoch must be a whole number ≥ 0');
  if (!Array.isArray(value.mutations)) fail('mutations must be an array');
  value.mutations.forEach(parseMutation);
  return value as unknown as PushRequest;
}

/** @throws TypeError saying what is wrong. */
export function parsePullRequest(value: unknown): PullRequest {
  if (!isRecord(value)) fail('The pull body is not a JSON object');
  if (typeof value.clientId !== 'string') fail('clientId must be a string');
  checkId(value.clientId, 'clientId');
  if (value.cursor !== undefined && value.cursor !== null && typeof value.cursor !== 'string') {
    fail('cursor must be a string or null');
  }
  if (!isRecord(value.threads)) fail('threads must be an object of threadId → known version');
  for (const [id, known] of Object.entries(value.threads)) {
    checkId(id, `threads (a key)`);
    if (typeof known !== 'number' || Number.isNaN(known)) fail(`threads[${JSON.stringify(id)}] must be a number`);
  }
  return value as unknown as PullRequest;
}

/** The largest request body either peer accepts; a larger one is answered 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** UTF-8 length, without encoding the common short body. */
export function utf8Length(text: string): number {
  if (text.length * 3 <= MAX_BODY_BYTES) return text.length;
  return new TextEncoder().encode(text).length;
}
