/**
 * The one event schema of Footfall, defined once, in two files of the warehouse:
 *
 * - `wire.ts`: what the tracker sends to `POST /e` (zod/mini; validated by the edge; the SDK imports only
 *   its types, so none of zod reaches the visitor's browser).
 * - this file: what the lake stores, one Parquet column per entry of `COLUMNS`. The consumer writes them,
 *   the dashboard and the SQL library read them.
 *
 * Bump `SCHEMA_VERSION` when a column changes meaning or type; it is written into every Parquet file's
 * key-value metadata (`footfall.schema`) so readers can tell files apart.
 */

// 2: visitor_id_prev, click_id, device_vendor, device_model.
export const SCHEMA_VERSION = 2

/** Event types the tracker emits. */
// pageview: a page was shown; event: a custom or click event (named); engagement: time on page and scroll
// depth, sent when the page is left; identify: the site named the visitor (userId, traits in props).
export const EVENT_TYPES = ['pageview', 'event', 'engagement', 'identify'] as const
export type EventType = (typeof EVENT_TYPES)[number]

/** Parquet column types used by the lake (hyparquet-writer basic types). */
export type ColumnType = 'STRING' | 'JSON' | 'TIMESTAMP' | 'INT32' | 'DOUBLE' | 'BOOLEAN'

/**
 * The values a column of each numeric type can hold, as the writer stores them: INT32 is a signed 32-bit
 * integer; TIMESTAMP is epoch milliseconds within what a JavaScript Date holds (+-8.64e15, years -271821 to
 * 275760), which every engine's timestamp covers. The wire schema takes its bounds from here
 * (`boundsOf`), and the writer checks them (`rowProblem` in parquet.ts): one rule for both.
 */
export const TYPE_RANGES = {
  INT32: { min: -(2 ** 31), max: 2 ** 31 - 1 },
  TIMESTAMP: { min: -8.64e15, max: 8.64e15 },
} as const satisfies { [T in ColumnType]?: { min: number; max: number } }

/** The range of a numeric column of the lake, by name. */
export function boundsOf(name: (typeof COLUMNS)[number]['name']): { min: number; max: number } {
  const type = COLUMNS.find((c) => c.name === name)!.type
  if (type !== 'INT32' && type !== 'TIMESTAMP') throw new Error(`${name} is a ${type}, not an integer column`)
  return TYPE_RANGES[type]
}

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
  // The same hash with the previous day's salt, only in the first SESSION_GAP after the UTC midnight
  // rotation: it links a visit that spans the rotation to its earlier part (see warehouse/sql).
  { name: 'visitor_id_prev', type: 'STRING' },
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
  { name: 'click_id', type: 'STRING' }, // which ad click id the URL carried (gclid, fbclid, ...), never its value
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
  { name: 'device_vendor', type: 'STRING' },
  { name: 'device_model', type: 'STRING' },
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

/**
 * The drop ledger (`dropped/...` in the lake): what the edge refused or dropped, and why, so the owner can
 * see what is being filtered. One row per (request, reason, field); `events` counts the events it covers.
 * Bots are not here: they are stored in the events table, flagged (`is_bot`), and left out by default.
 */
// unwritable: accepted by the edge, then found by the consumer to be a row the lake cannot store (dropped
// alone, its message's other rows land); the validator is meant to leave none.
export const DROP_REASONS = ['invalid', 'forbidden', 'rate', 'privacy', 'unwritable'] as const
export type DropReason = (typeof DROP_REASONS)[number]

export const DROP_COLUMNS = [
  { name: 'time', type: 'TIMESTAMP', required: true },
  { name: 'site', type: 'STRING', required: true }, // "_unknown" when the site id itself was refused
  { name: 'reason', type: 'STRING', required: true }, // one of DROP_REASONS
  { name: 'field', type: 'STRING' }, // the offending field, for "invalid"
  { name: 'detail', type: 'STRING' }, // the message the client got
  { name: 'events', type: 'INT32', required: true },
] as const satisfies readonly { name: string; type: ColumnType; required?: boolean }[]

type DropColumn = (typeof DROP_COLUMNS)[number]
export type DropRow = {
  [C in DropColumn as C['name']]: C extends { required: true } ? ValueOf<C['type']> : ValueOf<C['type']> | null
}
