import { ServerError } from './serverError.js';

export type SyncAction = 'push' | 'pull' | 'events';

export interface AuthorizeContext {
  action: SyncAction;
  /**
   * `null` first, once per request: may this caller use the route at all (are they signed in)?
   * Then each thread the request names (push, pull) or the stream would send (events).
   */
  threadId: string | null;
}

/**
 * `true` allows; `false` refuses with 403; a `Response` (say a 401 with `WWW-Authenticate`) is
 * sent as is. Throwing a `ServerError(401 | 403, …)` answers with its status; any other throw
 * answers 500 and goes to `onError`. On the event stream a refused thread is simply not sent.
 */
export type AuthorizeDecision = boolean | Response;

export type Authorize = (request: Request, context: AuthorizeContext) => AuthorizeDecision | Promise<AuthorizeDecision>;

/** What the handler does with one decision: `null` allows, a refusal is an answer to send. */
export type Refusal = { status: number; code: string; message: string } | { response: Response };

export async function decide(authorize: Authorize, request: Request, context: AuthorizeContext): Promise<Refusal | null> {
  let decision: AuthorizeDecision;
  try {
    decision = await authorize(request, context);
  } catch (err) {
    if (err instanceof ServerError && (err.status === 401 || err.status === 403)) {
      return { status: err.status, code: err.code, message: err.message };
    }
    throw err;
  }
  if (decision === true) return null;
  if (decision instanceof Response) return { response: decision };
  const what = context.threadId === null ? `${context.action} here` : `${context.action} thread ${JSON.stringify(context.threadId)}`;
  return { status: 403, code: 'forbidden', message: `Not allowed to ${what}.` };
}
