/**
 * Reads a request body as UTF-8 text, stopping at `limit` bytes. Content-Length can be absent (chunked
 * transfer) or lie, so the limit is enforced on the bytes actually read.
 * Returns null when over the limit, undefined when the bytes are not valid UTF-8.
 */
export async function readBodyText(req: Request, limit: number): Promise<string | null | undefined> {
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
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    return undefined
  }
}
