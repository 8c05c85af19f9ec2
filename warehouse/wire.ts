/**
 * The wire format: the body of `POST /e` as the tracker sends it, validated field by field by the edge.
 * zod/mini keeps the worker's validator small (~17 KB instead of ~450 KB for classic zod).
 */
import * as z from 'zod/mini'
import { boundsOf, EVENT_TYPES } from './schema.ts'

// Limits: long enough for real URLs, short enough that one event stays far
// below the 128 KB queue message limit.
export const LIMITS = {
  urlChars: 2000,
  nameChars: 200,
  titleChars: 500,
  propKeys: 30,
  propKeyChars: 100,
  propValueChars: 500,
  userIdChars: 128,
  elementTextChars: 200,
  userAgentChars: 500,
  eventsPerBatch: 100,
  /** Bytes of one event's JSON. */
  eventBytes: 8 * 1024,
  /** Bytes of one request body. */
  bodyBytes: 64 * 1024,
  /** Largest client time (ms): what the lake's `client_time` column holds. */
  maxTs: boundsOf('client_time').max,
  /** Largest engaged time (ms): what the lake's `engaged_ms` column holds (2^31 - 1, ~24.8 days). */
  maxEngagedMs: boundsOf('engaged_ms').max,
} as const

const propValue = z.union([z.string().check(z.maxLength(LIMITS.propValueChars)), z.number(), z.boolean(), z.null()])

/** One event as the tracker sends it. Times are client epoch milliseconds. */
export const wireEvent = z.object({
  /** Unique id made by the client: the dedupe key of the lake. */
  id: z.string().check(z.minLength(8), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/)),
  type: z.enum(EVENT_TYPES),
  /** Custom event name (required for type "event"). */
  name: z.optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.nameChars))),
  /** Client clock, ms since epoch, when the event happened. */
  ts: z.number().check(z.int(), z.positive(), z.lte(LIMITS.maxTs)),
  url: z.url().check(z.maxLength(LIMITS.urlChars)),
  referrer: z.optional(z.string().check(z.maxLength(LIMITS.urlChars))),
  title: z.optional(z.string().check(z.maxLength(LIMITS.titleChars))),
  props: z.optional(
    z
      .record(z.string().check(z.minLength(1), z.maxLength(LIMITS.propKeyChars)), propValue)
      .check(z.refine((p) => Object.keys(p).length <= LIMITS.propKeys, `at most ${LIMITS.propKeys} properties`)),
  ),
  /** The site's own id of the visitor, set by identify() (opt-in); traits travel as props of "identify". */
  userId: z.optional(z.string().check(z.minLength(1), z.maxLength(LIMITS.userIdChars))),
  /** The clicked element, for click events (data-ff-event, outbound links, downloads). */
  element: z.optional(
    z.object({
      tag: z.string().check(z.maxLength(20)),
      text: z.optional(z.string().check(z.maxLength(LIMITS.elementTextChars))),
      href: z.optional(z.string().check(z.maxLength(LIMITS.urlChars))),
    }),
  ),
  /** Server-side events only (authenticated with the site's API key): the visitor's IP and user agent. */
  ip: z.optional(z.union([z.ipv4(), z.ipv6()])),
  ua: z.optional(z.string().check(z.maxLength(LIMITS.userAgentChars))),
  /** Screen size as "WIDTHxHEIGHT". */
  screen: z.optional(z.string().check(z.maxLength(20))),
  language: z.optional(z.string().check(z.maxLength(35))),
  /** Engaged (visible and focused) milliseconds on the page, for "engagement" events. */
  engagedMs: z.optional(z.number().check(z.int(), z.gte(0), z.lte(LIMITS.maxEngagedMs))),
  /** Maximum scroll depth in percent, for "engagement" events. */
  scrollDepth: z.optional(z.number().check(z.int(), z.gte(0), z.lte(100))),
})
export type WireEvent = z.infer<typeof wireEvent>

/** The body of `POST /e`: one site, the client's clock at send time, and the events. */
export const wireBatch = z.object({
  site: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[a-z0-9][a-z0-9_-]*$/)),
  /** Client clock at send time (ms): with the server's receive time it gives the clock skew. */
  sentAt: z.number().check(z.int(), z.positive()),
  events: z.array(z.unknown()).check(z.minLength(1), z.maxLength(LIMITS.eventsPerBatch)),
})
export type WireBatch = Omit<z.infer<typeof wireBatch>, 'events'> & { events: WireEvent[] }
