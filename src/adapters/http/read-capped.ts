/**
 * Reads a fetch response's body as text, at most `limit` bytes: a source that answers 400 MB is cut
 * off (and its stream cancelled) after the limit instead of being buffered whole.
 */
export async function readCapped(
  response: Response,
  limit: number,
): Promise<{ ok: true; text: string } | { ok: false; limit: number }> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    return declared > limit ? { ok: false, limit } : { ok: true, text: "" };
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, limit };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString("utf8") };
}
