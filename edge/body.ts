/**
 * Reads a request body as UTF-8 text, stopping at `limit` bytes. Content-Length can be absent (chunked
 * transfer) or lie, so the limit is enforced on the bytes actually read.
 * Returns null when over the limit, undefined when the bytes are not valid UTF-8.
 */
/**
 * Past the limit, up to this much more is read and discarded before answering (a "lingering close", as
 * HTTP servers do): a client still sending then reads its 413 instead of a reset connection. Locally,
 * a body left unread also makes wrangler dev's proxy fail the next request with a 503.
 */
const DRAIN_BYTES = 1024 * 1024

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
      await drain(reader, DRAIN_BYTES)
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

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, max: number): Promise<void> {
  for (let n = 0; ; ) {
    const { done, value } = await reader.read()
    if (done) return
    if ((n += value.byteLength) > max) return void (await reader.cancel())
  }
}
