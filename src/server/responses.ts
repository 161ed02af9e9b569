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
