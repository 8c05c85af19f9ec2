/**
 * The one event schema of Footfall, defined once.
 *
 * - `wireBatch` / `WireEvent`: what the tracker sends to `POST /e` (validated by the edge with zod/mini;
 *   the SDK imports only the types, so none of zod reaches the visitor's browser).
 * - `COLUMNS` / `EventRow`: what the lake stores, one Parquet column per entry. The consumer writes them,
 *   the dashboard and the SQL library read them.
 *
 * Bump `SCHEMA_VERSION` when a column changes meaning or type; it is written into every Parquet file's
 * key-value metadata (`footfall.schema`) so readers can tell files apart.
 */
import * as z from 'zod/mini'

export const SCHEMA_VERSION = 1

/** Event types the tracker emits. */
export const EVENT_TYPES = ['pageview', 'event', 'engagement'] as const
export type EventType = (typeof EVENT_TYPES)[number]

// Limits per DESIGN.md and the edge issue: long enough for real URLs, short enough that one event stays far
// below the 128 KB queue message limit.
export const LIMITS = {
  urlChars: 2000,
  nameChars: 200,
  titleChars: 500,
  propKeys: 30,
  propKeyChars: 100,
  propValueChars: 500,
  eventsPerBatch: 100,
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
  ts: z.number().check(z.int(), z.positive()),
  url: z.url().check(z.maxLength(LIMITS.urlChars)),
  referrer: z.optional(z.string().check(z.maxLength(LIMITS.urlChars))),
  title: z.optional(z.string().check(z.maxLength(LIMITS.titleChars))),
  props: z.optional(
    z.record(z.string().check(z.maxLength(LIMITS.propKeyChars)), propValue).check(
      z.refine((p) => Object.keys(p).length <= LIMITS.propKeys, `at most ${LIMITS.propKeys} properties`),
    ),
  ),
  /** Screen size as "WIDTHxHEIGHT". */
  screen: z.optional(z.string().check(z.maxLength(20))),
  language: z.optional(z.string().check(z.maxLength(35))),
  /** Engaged (visible and focused) milliseconds on the page, for "engagement" events. */
  engagedMs: z.optional(z.number().check(z.int(), z.gte(0))),
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

/** Parquet column types used by the lake (hyparquet-writer basic types). */
export type ColumnType = 'STRING' | 'JSON' | 'TIMESTAMP' | 'INT32' | 'DOUBLE' | 'BOOLEAN'

/**
 * Every column of the lake, in file order. `required` columns are never null.
 * Low-cardinality strings (type, country, browser, ...) are dictionary-encoded by the writer.
 */
export const COLUMNS = [
  { name: 'event_id', type: 'STRING', required: true },
  { name: 'site', type: 'STRING', required: true },
  { name: 'type', type: 'STRING', required: true },
  { name: 'name', type: 'STRING' },
  { name: 'event_time', type: 'TIMESTAMP', required: true }, // client time corrected for clock skew
  { name: 'client_time', type: 'TIMESTAMP', required: true },
  { name: 'received_time', type: 'TIMESTAMP', required: true },
  { name: 'visitor_id', type: 'STRING' }, // keyed hash of (site, IP, UA) with a daily salt; never the IP
  { name: 'user_id', type: 'STRING' },
  { name: 'url', type: 'STRING', required: true },
  { name: 'host', type: 'STRING' },
  { name: 'path', type: 'STRING' },
  { name: 'title', type: 'STRING' },
  { name: 'referrer', type: 'STRING' },
  { name: 'referrer_host', type: 'STRING' },
  { name: 'channel', type: 'STRING' },
  { name: 'utm_source', type: 'STRING' },
  { name: 'utm_medium', type: 'STRING' },
  { name: 'utm_campaign', type: 'STRING' },
  { name: 'utm_term', type: 'STRING' },
  { name: 'utm_content', type: 'STRING' },
  { name: 'props', type: 'JSON' },
  { name: 'product_id', type: 'STRING' },
  { name: 'category', type: 'STRING' },
  { name: 'revenue', type: 'DOUBLE' },
  { name: 'currency', type: 'STRING' },
  { name: 'element_tag', type: 'STRING' },
  { name: 'element_text', type: 'STRING' },
  { name: 'element_href', type: 'STRING' },
  { name: 'engaged_ms', type: 'INT32' },
  { name: 'scroll_depth', type: 'INT32' },
  { name: 'screen', type: 'STRING' },
  { name: 'language', type: 'STRING' },
  { name: 'country', type: 'STRING' },
  { name: 'region', type: 'STRING' },
  { name: 'city', type: 'STRING' },
  { name: 'continent', type: 'STRING' },
  { name: 'timezone', type: 'STRING' },
  { name: 'asn', type: 'INT32' },
  { name: 'colo', type: 'STRING' },
  { name: 'browser', type: 'STRING' },
  { name: 'browser_version', type: 'STRING' },
  { name: 'os', type: 'STRING' },
  { name: 'os_version', type: 'STRING' },
  { name: 'device_type', type: 'STRING' },
  { name: 'is_bot', type: 'BOOLEAN', required: true },
  { name: 'bot_reason', type: 'STRING' },
] as const satisfies readonly { name: string; type: ColumnType; required?: boolean }[]

type Column = (typeof COLUMNS)[number]
// Timestamps travel as epoch milliseconds (JSON-safe in queue messages); the writer stores them as
// TIMESTAMP_MILLIS. JSON columns hold the object itself; the writer serialises it.
type ValueOf<T extends ColumnType> = T extends 'TIMESTAMP' | 'INT32' | 'DOUBLE'
  ? number
  : T extends 'JSON'
    ? Record<string, unknown>
    : T extends 'BOOLEAN'
      ? boolean
      : string

/** One stored event: a row of the lake, typed from `COLUMNS`. */
export type EventRow = {
  [C in Column as C['name']]: C extends { required: true } ? ValueOf<C['type']> : ValueOf<C['type']> | null
}
