/**
 * Breakdowns: one row per value of a dimension, most visitors first.
 * - `breakdown(dim)`: over events (top pages, countries, devices, browsers, OS, UTM, ...);
 * - `sessionBreakdown(field)`: over sessions (entry and exit pages, sources and channels as the session
 *   began), with visits, bounce rate and visit duration;
 * - `customEvents` and `eventProps`: custom events by name, and the values of one property of one event.
 */
import { SOURCE_COLUMNS } from '../aggregate/columns.ts'
import { dimension, prop, propKey, PROP_KEY_RE, propValue, type Dimension } from './dimensions.ts'
import { countingCte, countVisitors, readsLoadTables, type Scope } from './events.ts'
import { inRange, int, sql, trusted, type Query, type Range } from './query.ts'
import { sessionsCte, sessionVisitor, type SessionOptions } from './sessions.ts'
import { hourRowsCte, isHourDimension } from './visitor-hours.ts'

export interface BreakdownOptions extends Scope {
  limit?: number
  /** Only events of this type (e.g. 'pageview' for top pages). */
  type?: 'pageview' | 'event' | 'engagement' | 'identify'
}

/**
 * Rows: value, visitors, pageviews, events (all matching rows).
 * @example breakdown(range, 'path', { type: 'pageview' }) // top pages
 */
export function breakdown(r: Range, dim: Dimension, o: BreakdownOptions = {}): Query {
  // The visitor's place and device, over every event type: from the pre-aggregated visitor hours.
  if (!o.type && isHourDimension(dim) && readsLoadTables(o)) {
    return sql`WITH ${hourRowsCte(r)}
SELECT ${trusted(dim)} AS value, count(DISTINCT vid) AS visitors, sum(pageviews)::BIGINT AS pageviews, sum(events)::BIGINT AS events
FROM hv GROUP BY value ORDER BY visitors DESC, pageviews DESC, value NULLS LAST LIMIT ${int(o.limit ?? 100)}`
  }
  const type = o.type ? sql` AND type = ${o.type}` : trusted('')
  return sql`WITH RECURSIVE ${countingCte(r, o)}
SELECT ${dimension(dim)} AS value, ${countVisitors(o)} AS visitors, count(*) FILTER (WHERE type = 'pageview') AS pageviews, count(*) AS events
FROM ev WHERE hit AND ${inRange(r)}${type}
GROUP BY value ORDER BY visitors DESC, pageviews DESC, value NULLS LAST LIMIT ${int(o.limit ?? 100)}`
}

/** Top pages: pageviews by path. */
export const topPages = (r: Range, o: Omit<BreakdownOptions, 'type'> = {}) => breakdown(r, 'path', { ...o, type: 'pageview' })

/** Session columns a session breakdown can group by (see `sessions.ts`). */
export const SESSION_FIELDS = ['entry_page', 'exit_page', ...SOURCE_COLUMNS] as const
export type SessionField = (typeof SESSION_FIELDS)[number]

/**
 * Rows: value, visitors, visits, bounce_rate, visit_duration_ms.
 * @example sessionBreakdown(range, 'entry_page') // entry pages
 */
export function sessionBreakdown(r: Range, field: SessionField, o: SessionOptions & { limit?: number } = {}): Query {
  if (!SESSION_FIELDS.includes(field)) throw new Error(`unknown session field: ${JSON.stringify(field)}`)
  return sql`WITH RECURSIVE ${sessionsCte(r, o)}
SELECT ${trusted(field)} AS value, count(DISTINCT ${sessionVisitor(o)}) AS visitors, count(*) AS visits,
  count(*) FILTER (WHERE bounce) / count(*) AS bounce_rate, avg(duration_ms) AS visit_duration_ms
FROM sessions GROUP BY value ORDER BY visitors DESC, visits DESC, value NULLS LAST LIMIT ${int(o.limit ?? 100)}`
}

/** Rows: name, events, visitors — custom events (type 'event') by name. */
export function customEvents(r: Range, o: Scope & { limit?: number } = {}): Query {
  return sql`WITH RECURSIVE ${countingCte(r, o, 'event')}
SELECT name, count(*) AS events, ${countVisitors(o)} AS visitors
FROM ev WHERE hit AND type = 'event' AND ${inRange(r)}
GROUP BY name ORDER BY events DESC, name LIMIT ${int(o.limit ?? 100)}`
}

/** Rows: value, events, visitors — the values of property `key` on custom event `name`. */
export function eventProps(r: Range, name: string, key: string, o: Scope & { limit?: number } = {}): Query {
  // From `custom_events`, the pairs parsed once per load (events.ts): the value of the key's first pair.
  const value = readsLoadTables(o) ? propValue(sql`list_extract(prop_values, list_position(prop_keys, ${propKey(key)}))`) : prop(key)
  return sql`WITH RECURSIVE ${countingCte(r, o, 'event')}
SELECT ${value} AS value, count(*) AS events, ${countVisitors(o)} AS visitors
FROM ev WHERE hit AND type = 'event' AND name = ${name} AND ${inRange(r)}
GROUP BY value ORDER BY events DESC, value NULLS LAST LIMIT ${int(o.limit ?? 100)}`
}

/** Rows: key, events — the property keys seen on custom event `name` (to offer them in a picker). */
export function propKeys(r: Range, name: string, o: Scope = {}): Query {
  const rows = sql`ev WHERE hit AND type = 'event' AND name = ${name} AND ${inRange(r)}`
  // Keys of a flat JSON object: a quoted string right after `{` or `,` and followed by `:`; from
  // `custom_events`, the keys of the pairs parsed once per load (events.ts), without their quotes.
  const keys = readsLoadTables(o)
    ? sql`SELECT substring(k, 2, length(k) - 2) AS key FROM (SELECT unnest(prop_keys) AS k FROM ${rows})`
    : sql`SELECT unnest(regexp_extract_all(props, '[{,]"((?:[^"\\\\]|\\\\.)*)":', 1)) AS key FROM ${rows}`
  return sql`WITH RECURSIVE ${countingCte(r, o, 'event')}, keys AS (
  ${keys}
)
SELECT key, count(*) AS events FROM keys
-- Only keys a filter or a breakdown can name (dimensions.ts, PROP_KEY): any other key, which a visitor may
-- send (quotes, markup), could not be queried, and the dashboard opens the first key listed.
WHERE regexp_full_match(key, ${PROP_KEY_RE})
GROUP BY key ORDER BY events DESC, key`
}
