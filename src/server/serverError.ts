/**
 * A request the server refuses as a whole: the handler answers `status` with
 * `{ error: { code, message } }`. Stores throw it for fencing (409 `fenced`).
 */
export class ServerError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ServerError';
    this.status = status;
    this.code = code;
  }
}
