/**
 * Reads a request body as text, stopping at `limit` bytes. Content-Length can be absent (chunked
 * transfer) or lie, so the limit is enforced on the bytes actually read. Returns null when over the limit.
 */
export async function readBodyText(req: Request, limit: number): Promise<string | null> {
  const declared = Number(req.headers.get('Content-Length'))
  if (declared > limit) return null
  if (!req.body) return ''
  const reader = req.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      return null
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const c of chunks) (bytes.set(c, at), (at += c.byteLength))
  // Invalid UTF-8 becomes U+FFFD rather than an exception; JSON.parse then judges the text.
  return new TextDecoder().decode(bytes)
}
