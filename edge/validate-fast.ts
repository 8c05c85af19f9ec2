/**
 * A hand-written check of the common valid batch and event, in front of the zod schemas of
 * `warehouse/wire.ts`. zod/mini cannot compile its parsers in workerd (no `new Function`), and its
 * interpreter was the largest part of the collector's own CPU (bench/RESULTS.md, "Collector throughput").
 *
 * Each check answers either "valid, and this is the value zod would return" or `undefined`: "not sure",
 * and the caller asks zod, so every rejection and its `{index, field, reason}` still come from the schema
 * alone. Anything uncommon (an `ip`, an unknown key, a string measured in code points rather than UTF-16
 * units, a URL with surrounding spaces) is left to zod. The value returned is the input itself: zod's
 * result is a deep copy of it whenever these checks pass (property test: validate-fast.test.ts).
 *
 * Keep in step with `wireEvent` and `wireBatch`: a limit tightened there and not here is caught by the
 * property test, which generates values on both sides of every limit.
 */
import { EVENT_TYPES } from '../warehouse/schema.ts'
import { LIMITS, type WireBatch, type WireEvent } from '../warehouse/wire.ts'

const TYPES: ReadonlySet<unknown> = new Set(EVENT_TYPES)
const ID = /^[A-Za-z0-9_-]+$/
const SITE = /^[a-z0-9][a-z0-9_-]*$/
/** zod's url() trims the string and deletes tabs and newlines from its result: such a URL goes to zod. */
const URL_REWRITTEN = /^\s|\s$|[\t\n\r]/

/** A plain JSON object: what JSON.parse makes (not an array, no odd prototype). */
const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype

/** A string of at most `max` UTF-16 units (zod counts code points, never more than units). */
const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max
/** An optional string: absent, or a string of 1 (if `min`) to `max` units. */
const optStr = (v: unknown, max: number, min = 0) => v === undefined || (str(v, max) && v.length >= min)
const safeInt = (v: unknown): v is number => Number.isSafeInteger(v)

/** The batch as `wireBatch.safeParse` returns it when the check passes (events not yet validated). */
export function fastBatch(raw: unknown): (Omit<WireBatch, 'events'> & { events: unknown[] }) | undefined {
  if (!isPlain(raw)) return undefined
  const { site, sentAt, events } = raw
  if (!(str(site, 64) && site.length >= 1 && SITE.test(site))) return undefined
  if (!(safeInt(sentAt) && sentAt > 0)) return undefined
  if (!(Array.isArray(events) && events.length >= 1 && events.length <= LIMITS.eventsPerBatch)) return undefined
  return { site, sentAt, events } // a new object: unknown keys dropped, as zod drops them
}

/** The event as `wireEvent.safeParse` returns it when the check passes, else undefined (ask zod). */
export function fastEvent(raw: unknown): WireEvent | undefined {
  if (!isPlain(raw)) return undefined
  const e = raw
  if (!(str(e.id, 64) && e.id.length >= 8 && ID.test(e.id))) return undefined
  if (!TYPES.has(e.type)) return undefined
  if (!(safeInt(e.ts) && e.ts > 0 && e.ts <= LIMITS.maxTs)) return undefined
  if (!(str(e.url, LIMITS.urlChars) && !URL_REWRITTEN.test(e.url) && URL.canParse(e.url))) return undefined
  // The optional fields: each absent or valid, counted to find keys the schema does not know.
  let keys = 4
  if (e.name !== undefined) keys++
  if (!optStr(e.name, LIMITS.nameChars, 1)) return undefined
  if (e.referrer !== undefined) keys++
  if (!optStr(e.referrer, LIMITS.urlChars)) return undefined
  if (e.title !== undefined) keys++
  if (!optStr(e.title, LIMITS.titleChars)) return undefined
  if (e.props !== undefined && (keys++, !props(e.props))) return undefined
  if (e.userId !== undefined) keys++
  if (!optStr(e.userId, LIMITS.userIdChars, 1)) return undefined
  if (e.element !== undefined && (keys++, !element(e.element))) return undefined
  if (e.ip !== undefined) return undefined // IPv4 or IPv6: zod's formats decide
  if (e.ua !== undefined) keys++
  if (!optStr(e.ua, LIMITS.userAgentChars)) return undefined
  if (e.screen !== undefined) keys++
  if (!optStr(e.screen, 20)) return undefined
  if (e.language !== undefined) keys++
  if (!optStr(e.language, 35)) return undefined
  if (e.engagedMs !== undefined && (keys++, !(safeInt(e.engagedMs) && e.engagedMs >= 0 && e.engagedMs <= LIMITS.maxEngagedMs)))
    return undefined
  if (e.scrollDepth !== undefined && (keys++, !(safeInt(e.scrollDepth) && e.scrollDepth >= 0 && e.scrollDepth <= 100))) return undefined
  if (Object.keys(e).length !== keys) return undefined
  return e as unknown as WireEvent
}

function props(p: unknown): boolean {
  // zod's record skips "__proto__" (and a "constructor" key changes what it counts as a plain object).
  if (!isPlain(p) || Object.hasOwn(p, '__proto__') || Object.hasOwn(p, 'constructor')) return false
  let n = 0
  for (const k in p) {
    if (++n > LIMITS.propKeys || k.length < 1 || k.length > LIMITS.propKeyChars) return false
    const v = p[k]
    if (!(v === null || typeof v === 'boolean' || Number.isFinite(v) || str(v, LIMITS.propValueChars))) return false
  }
  return true
}

function element(el: unknown): boolean {
  if (!isPlain(el) || !str(el.tag, 20)) return false
  let keys = 1
  if (el.text !== undefined) keys++
  if (!optStr(el.text, LIMITS.elementTextChars)) return false
  if (el.href !== undefined) keys++
  if (!optStr(el.href, LIMITS.urlChars)) return false
  return Object.keys(el).length === keys
}
