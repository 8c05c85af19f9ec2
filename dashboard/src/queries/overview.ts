/**
 * The few dashboard queries the SQL library (warehouse/sql) does not have: the time series with filters
 * and bots, the custom event count of the KPI row, and the live event feed. Built the library's way
 * (`sql` tag: values as parameters) on its deduplicated, scoped `ev` (canonical visitor `vk`).
 */
import { countingCte, countVisitors, eventsCte } from '../../../warehouse/sql/events.ts'
import { BUCKETS, type Bucket } from '../../../warehouse/sql/buckets.ts'
import { inRange, int, sql, trusted, ts, type Query } from '../../../warehouse/sql/query.ts'
import { opts, type Scope } from './filters.ts'

/** Rows (t, pageviews, visitors), every bucket of the range (zeros included). */
export function series(s: Scope, bucket: Bucket): Query {
  const size = trusted(`INTERVAL '${BUCKETS[bucket]}'`)
  return sql`WITH RECURSIVE ${countingCte(s.range, opts(s))}, buckets AS (
  SELECT unnest(generate_series(time_bucket(${size}, ${ts(s.range.from)}), ${ts(s.range.to)}, ${size})) AS t
), counts AS (
  SELECT time_bucket(${size}, event_time) AS t, count(*) AS pageviews, ${countVisitors(opts(s))} AS visitors
  FROM ev WHERE hit AND type = 'pageview' AND ${inRange(s.range)} GROUP BY t
)
SELECT t, coalesce(pageviews, 0) AS pageviews, coalesce(visitors, 0) AS visitors
FROM buckets LEFT JOIN counts USING (t) ORDER BY t`
}

/** One row (events): custom events in the scope. */
export function eventCount(s: Scope): Query {
  return sql`WITH RECURSIVE ${countingCte(s.range, opts(s))}
SELECT count(*) AS events FROM ev WHERE hit AND type = 'event' AND ${inRange(s.range)}`
}

/**
 * Rows (name, events): the custom event names of the scope, most events first, for the event picker: the
 * names and order of the library's `customEvents`, without its distinct visitor count.
 */
export function eventNames(s: Scope, limit = 50): Query {
  return sql`WITH RECURSIVE ${countingCte(s.range, opts(s))}
SELECT name, count(*) AS events FROM ev WHERE hit AND type = 'event' AND ${inRange(s.range)}
GROUP BY name ORDER BY events DESC, name LIMIT ${int(limit)}`
}

/** Rows (time, type, name, path, country, device_type): the latest events up to `now`, newest first. */
export function liveFeed(now: number, s: Omit<Scope, 'range'>, limit = 50): Query {
  const r = { from: now - 3_600_000, to: now }
  return sql`WITH RECURSIVE ${eventsCte(r, opts({ ...s, range: r }))}
SELECT event_time AS time, type, name, path, country, device_type FROM ev WHERE hit
ORDER BY event_time DESC, event_id DESC LIMIT ${int(limit)}`
}
