/**
 * The HTTP semantics `/data/` owes its readers (RFC 9110), evaluated here rather than left to R2, which
 * ignores a malformed Range without saying so and answers a failed If-Match like a matching If-None-Match.
 */

/** A byte range of an object of unknown size: `offset`/`length` (length open to the end), or a `suffix`. */
export type ByteRange = { offset: number; length?: number } | { suffix: number }

/**
 * The one range a `Range` header asks for; `null` when the header is to be ignored (absent, not `bytes`,
 * malformed or several ranges: RFC 9110 section 14.2 lets a server answer those with the whole file, 200).
 */
export function parseRange(header: string | null): ByteRange | null {
  const m = header?.trim().match(/^bytes=(\d{0,15})-(\d{0,15})$/)
  if (!m || (m[1] === '' && m[2] === '')) return null
  if (m[1] === '') return { suffix: Number(m[2]) }
  const offset = Number(m[1])
  if (m[2] === '') return { offset }
  const last = Number(m[2])
  return last < offset ? null : { offset, length: last - offset + 1 }
}

/** Whether `range` selects at least one byte of an object of `size` bytes (else 416). */
export function satisfiable(range: ByteRange, size: number): boolean {
  return 'suffix' in range ? range.suffix > 0 && size > 0 : range.offset < size
}

/** `range` within `size`: its first byte and its length. */
export function resolveRange(range: ByteRange, size: number): { start: number; length: number } {
  if ('suffix' in range) {
    const length = Math.min(range.suffix, size)
    return { start: size - length, length }
  }
  return { start: range.offset, length: Math.min(range.length ?? size - range.offset, size - range.offset) }
}

/**
 * Whether the request's If-Match (or, without it, If-Unmodified-Since) fails for this object: 412, which
 * comes before any If-None-Match (RFC 9110 section 13.2.2).
 */
export function preconditionFailed(headers: Headers, object: { httpEtag: string; etag: string; uploaded: Date }): boolean {
  const ifMatch = headers.get('If-Match')
  if (ifMatch !== null) {
    if (ifMatch.trim() === '*') return false
    // Strong comparison: a weak tag (W/"...") never matches.
    return !ifMatch.split(',').some((t) => t.trim() === object.httpEtag)
  }
  const since = headers.get('If-Unmodified-Since')
  if (since === null) return false
  const t = Date.parse(since)
  return Number.isFinite(t) && Math.floor(object.uploaded.getTime() / 1000) > Math.floor(t / 1000)
}
