/**
 * Text the lake can hold: valid Unicode. A JavaScript string may carry a lone surrogate (an escaped
 * "\ud83d" in JSON, or a UTF-16 string cut inside a pair), which UTF-8 cannot encode: as a Parquet string
 * it would silently become U+FFFD, and in a JSON column it stays an escape that native DuckDB refuses to
 * read ("no low surrogate"). The collector replaces each lone surrogate with U+FFFD before validation
 * (`wellFormed`), so what it accepts is stored as sent, everywhere alike; the writer refuses JSON that still
 * holds one (`wellFormedDeep`, parquet.ts).
 */

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE.source)

/** Whether a string is valid Unicode (String.prototype.isWellFormed, which ES2023's lib lacks). */
export const isWellFormed = (s: string) => !HAS_LONE_SURROGATE.test(s)

/** The string with each lone surrogate replaced by U+FFFD (String.prototype.toWellFormed). */
export const toWellFormed = (s: string) => (isWellFormed(s) ? s : s.replace(LONE_SURROGATE, '\uFFFD'))

/** `value` (parsed JSON) with every string, keys included, made well-formed; unchanged parts are kept. */
export function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return toWellFormed(value) as T
  if (Array.isArray(value)) return value.map(wellFormed) as T
  if (typeof value !== 'object' || value === null) return value
  // fromEntries defines own properties: a "__proto__" key stays a key (for validate.ts to refuse), never a prototype.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [toWellFormed(k), wellFormed(v)])) as T
}

/** Whether every string in `value`, keys included, is well-formed. */
export function wellFormedDeep(value: unknown): boolean {
  if (typeof value === 'string') return isWellFormed(value)
  if (typeof value !== 'object' || value === null) return true
  if (Array.isArray(value)) return value.every(wellFormedDeep)
  for (const k in value) if (!isWellFormed(k) || !wellFormedDeep((value as Record<string, unknown>)[k])) return false
  return true
}

/**
 * Whether a JSON text may hold a lone surrogate once parsed. Text decoded from UTF-8 never holds one, so
 * only a `\uD8xx`-`\uDFxx` escape can make one: a text without such an escape needs no repair.
 */
export const mayHoldLoneSurrogate = (json: string) => /\\u[dD][89a-fA-F]/.test(json)
