/**
 * Validation of each event of a batch on its own: the valid ones go on, each invalid one gets a
 * rejection that names the field and the reason.
 */
import * as z from 'zod/mini'
import en from 'zod/v4/locales/en.js'
import { LIMITS, wireBatch, wireEvent, type WireEvent } from '../warehouse/wire.ts'
import { hostAllowed } from './sites.ts'
import { fastBatch, fastEvent } from './validate-fast.ts'
import { DAY, MINUTE } from '../warehouse/time.ts'

// zod/mini ships no messages by default: load the English ones (only those: all locales weigh ~400 KB)
// so every rejection says what is wrong.
z.config(en())

/** A browser may hold events for a while (offline, persisted queue); a backend may replay older ones. */
export const MAX_AGE_MS = { browser: 7 * DAY, server: 400 * DAY }
/** Client clocks drift, but an event cannot happen after the batch was sent. */
export const MAX_AHEAD_MS = MINUTE

export interface Rejection {
  index: number
  field: string
  reason: string
}

export interface BatchContext {
  site: string
  hosts: string[]
  sentAt: number
  /** Authenticated with the site's API key: may set ip and ua, may send older events. */
  server: boolean
  /**
   * When the request arrived (default: now). A backend's times are kept as sent (no skew correction), so
   * they must also fall within its window of the time of receipt: else `sentAt` would let it place events
   * in any year, and the lake's date partitions with them.
   */
  received?: number
}

/** A schema's answer, as zod's safeParse gives it. */
export type Parsed<T> = { success: true; data: T } | { success: false; error: z.core.$ZodError }

/** `wireEvent.safeParse`, answered by the hand-written check when it can vouch for the event (validate-fast.ts). */
export function parseEvent(raw: unknown): Parsed<WireEvent> {
  const data = fastEvent(raw)
  return data ? { success: true, data } : wireEvent.safeParse(raw)
}

/** `wireBatch.safeParse`, likewise. */
export function parseBatch(raw: unknown): Parsed<z.infer<typeof wireBatch>> {
  const data = fastBatch(raw)
  return data ? { success: true, data } : wireBatch.safeParse(raw)
}

const utf8 = new TextEncoder()
// Keys that reach an object's prototype machinery when assigned naively. JSON.parse makes "__proto__" an
// own property, which zod's record then silently drops: refuse them outright instead.
const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype']

/** @param parse the event schema (tests compare the default with zod alone) */
export function validateEvents(
  events: unknown[],
  ctx: BatchContext,
  parse: (raw: unknown) => Parsed<WireEvent> = parseEvent,
): { valid: WireEvent[]; rejected: Rejection[] } {
  const valid: WireEvent[] = []
  const rejected: Rejection[] = []
  const received = ctx.received ?? Date.now()
  // A batch's events mostly share their page: parse each URL's host once.
  const allowed = new Map<string, boolean>()
  const hostOk = (url: string) => {
    let ok = allowed.get(url)
    if (ok === undefined) allowed.set(url, (ok = hostAllowed(url, ctx.hosts)))
    return ok
  }
  events.forEach((raw, index) => {
    const reject = (field: string, reason: string) => rejected.push({ index, field, reason })
    const bytes = jsonBytesOver(raw, LIMITS.eventBytes)
    if (bytes) return reject('(event)', `event is ${bytes} bytes, more than ${LIMITS.eventBytes}`)
    const props = (raw as { props?: unknown })?.props
    const reserved = props && typeof props === 'object' && RESERVED_KEYS.find((k) => Object.hasOwn(props, k))
    if (reserved) return reject(`props.${reserved}`, 'reserved property name')
    const r = parse(raw)
    if (!r.success) return rejected.push(...issuesOf(r.error, index))
    const e = r.data
    if (e.type === 'event' && !e.name) return reject('name', 'required for type "event"')
    if (e.type === 'identify' && !e.userId) return reject('userId', 'required for type "identify"')
    if (e.ts > ctx.sentAt + MAX_AHEAD_MS) return reject('ts', 'later than the batch was sent')
    if (e.ts < ctx.sentAt - MAX_AGE_MS[ctx.server ? 'server' : 'browser']) return reject('ts', `older than ${ctx.server ? 400 : 7} days`)
    if (ctx.server && e.ts > received + MAX_AHEAD_MS) return reject('ts', 'later than the batch was received')
    if (ctx.server && e.ts < received - MAX_AGE_MS.server) return reject('ts', 'older than 400 days')
    if (!ctx.server && (e.ip !== undefined || e.ua !== undefined))
      return reject(e.ip !== undefined ? 'ip' : 'ua', "needs the site's API key")
    if (!hostOk(e.url)) return reject('url', `host not allowed for site "${ctx.site}"`)
    valid.push(e)
  })
  return { valid, rejected }
}

/**
 * The UTF-8 size of `value`'s JSON when it is more than `limit` bytes, else 0. A UTF-16 unit is at most
 * 3 bytes (a surrogate pair 4 for 2 units), so a JSON text of at most limit/3 units fits without encoding it.
 */
export function jsonBytesOver(value: unknown, limit: number): number {
  const json = JSON.stringify(value) ?? ''
  if (json.length * 3 <= limit) return 0
  const bytes = utf8.encode(json).byteLength
  return bytes > limit ? bytes : 0
}

/** zod issues as rejections: `path.to.field` and the message. */
export function issuesOf(error: z.core.$ZodError, index: number): Rejection[] {
  return error.issues.map((i) => ({ index, field: i.path.join('.') || '(root)', reason: i.message }))
}
