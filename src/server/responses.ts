const encoder = new TextEncoder();

/** A JSON answer with its exact length, so a Node adapter sends it in one piece. */
export function jsonResponse(status: number, value: unknown, headers: Readonly<Record<string, string>>): Response {
  const body = encoder.encode(JSON.stringify(value));
  return new Response(body, {
    status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.byteLength) },
  });
}

/** The error body of every refusal: what went wrong and what to do (docs/protocol.md). */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Readonly<Record<string, string>>,
): Response {
  return jsonResponse(status, { error: { code, message } }, headers);
}

/**
 * The body as text, or `null` when it is larger than `limit` bytes (the rest is not read).
 * @throws TypeError when the body is not UTF-8, or the client went away while sending it.
 */
export async function readText(request: Request, limit: number): Promise<string | null> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > limit) {
    await request.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!request.body) return '';
  // Its length said and within the limit: read it whole (the runtime's fast path).
  if (declared >= 0 && request.headers.has('content-length')) return new TextDecoder('utf-8', { fatal: true }).decode(await request.arrayBuffer());
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const whole = chunks.length === 1 ? chunks[0]! : new Uint8Array(size);
  if (chunks.length > 1) {
    let at = 0;
    for (const chunk of chunks) {
      whole.set(chunk, at);
      at += chunk.byteLength;
    }
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(whole);
}

/** A push's or a pull's body as JSON, or the refusal to answer (415, 400, 413) with `headers`. */
export async function readJson(
  request: Request,
  route: string,
  maxBodyBytes: number,
  headers: Readonly<Record<string, string>>,
): Promise<{ value: unknown } | Response> {
  const error = (status: number, code: string, message: string) => errorResponse(status, code, message, headers);
  // A cross-site HTML form can POST text/plain or a form encoding without a preflight, never
  // application/json: asking for it keeps cookie-authenticated apps safe from such forms.
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    await request.body?.cancel().catch(() => undefined);
    return error(415, 'unsupported-media-type', `The ${route} body must be sent with content-type: application/json.`);
  }
  let text: string | null;
  try {
    text = await readText(request, maxBodyBytes);
  } catch {
    return error(400, 'invalid-body', `The ${route} body is not UTF-8 text, or it broke off.`);
  }
  if (text === null) {
    return error(413, 'too-large', `The ${route} body is larger than ${maxBodyBytes} bytes; send fewer mutations per request.`);
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return error(400, 'invalid-json', `The ${route} body is not valid JSON.`);
  }
}
