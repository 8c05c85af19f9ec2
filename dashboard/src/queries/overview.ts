/**
 * The few dashboard queries the SQL library (warehouse/sql) does not have: the time series with filters
 * and bots, the custom event count of the KPI row, and the live event feed. Built the library's way
 * (`sql` tag: values as parameters) on its deduplicated, scoped `ev` (canonical visitor `vk`).
 */
import { countingCte, eventsCte, readsLoadTables } from '../../../warehouse/sql/events.ts'
import { BUCKET_MS, BUCKET_ORIGIN, BUCKETS, type Bucket } from '../../../warehouse/sql/buckets.ts'
import { inRange, int, sql, trusted, ts, type Query } from '../../../warehouse/sql/query.ts'
import { hourRowsCte } from '../../../warehouse/sql/visitor-hours.ts'
import { aggregatedPageviews, eventNamesSplit, type Split } from '../../../warehouse/sql/aggregates.ts'
import { opts, type Scope } from './filters.ts'

/**
 * Rows (t, pageviews), every bucket of the range (zeros included): what the chart draws. (Distinct visitors
 * per bucket would cost twice the pageviews' count, for a column nobody drew.)
 */
export function series(s: Scope, bucket: Bucket): Query {
  const size = trusted(`INTERVAL '${BUCKETS[bucket]}'`)
  if (s.split) return seriesOf(s, size, sql`counted AS (SELECT b, sum(pageviews)::BIGINT AS pageviews FROM (${splitPageviews(s.split, bucket, s)}) GROUP BY b)`)
  // Buckets of whole hours (hour, day, week) from the visitor hours where the scope allows: an hour's
  // bucket is its events' bucket (visitor-hours.ts; a fraction of the rows, partial end hours as events).
  return seriesOf(s, size, countedOf(s, bucket))
}

/** Pageviews per bucket (b, pageviews) of a split range: the aggregates' quarter hours, then each raw part's. */
function splitPageviews(split: Split, bucket: Bucket, s: Scope): Query {
  const parts = split.raw.map((r) => sql`SELECT b, pageviews FROM (WITH RECURSIVE ${countedOf({ ...s, range: r, split: undefined }, bucket)} SELECT * FROM counted)`)
  const agg = split.agg ? aggregatedPageviews(split.agg, (c) => bucketStart(bucket, c)) : sql`SELECT 0::BIGINT AS b, 0::BIGINT AS pageviews WHERE FALSE`
  return parts.reduce((acc, p) => sql`${acc} UNION ALL ${p}`, agg)
}

/** `counted (b, pageviews)` of a range from the events (or the visitor hours where the scope allows). */
function countedOf(s: Scope, bucket: Bucket): Query {
  return bucket !== 'minute' && readsLoadTables(opts(s))
    ? sql`${hourRowsCte(s.range)}, counted AS (SELECT ${bucketStart(bucket, 'hour')} AS b, sum(pageviews)::BIGINT AS pageviews FROM hv GROUP BY b)`
    : sql`${countingCte(s.range, opts(s))}, counted AS (
  SELECT ${bucketStart(bucket)} AS b, count(*) AS pageviews FROM ev WHERE hit AND type = 'pageview' AND ${inRange(s.range)} GROUP BY b
)`
}

/** Every bucket of the range (zeros included) with its pageviews, from `counted (b, pageviews)`. */
function seriesOf(s: Scope, size: Query, counted: Query): Query {
  return sql`WITH RECURSIVE ${counted}, buckets AS (
  SELECT unnest(generate_series(time_bucket(${size}, ${ts(s.range.from)}), ${ts(s.range.to)}, ${size})) AS t
), counts AS (
  -- time_bucket's buckets, computed on integers and grouped by them: time_bucket per row costs more than
  -- the count itself in DuckDB-WASM. Its origin is Monday 2000-01-03 (weeks start on Mondays; minutes,
  -- hours and days are aligned to it too); the remainder is taken so times before it floor as well.
  SELECT make_timestamp(b) AS t, pageviews FROM counted
)
SELECT t, coalesce(pageviews, 0) AS pageviews
FROM buckets LEFT JOIN counts USING (t) ORDER BY t`
}

/** time_bucket's origin (buckets.ts), µs since the epoch. */
const ORIGIN_US = BUCKET_ORIGIN * 1000

/** The start of the bucket of `column` (a TIMESTAMP), µs since the epoch (BIGINT). */
function bucketStart(bucket: Bucket, column = 'event_time'): Query {
  const w = String(BUCKET_MS[bucket] * 1000)
  const x = `(epoch_us(${column}) - ${ORIGIN_US})`
  return trusted(`${ORIGIN_US} + ${x} - ((${x} % ${w}) + ${w}) % ${w}`)
}

/** One row (events): custom events in the scope. */
export function eventCount(s: Scope): Query {
  return sql`WITH RECURSIVE ${countingCte(s.range, opts(s), 'event')}
SELECT count(*) AS events FROM ev WHERE hit AND type = 'event' AND ${inRange(s.range)}`
}

/**
 * Rows (name, events): the custom event names of the scope, most events first, for the event picker: the
 * names and order of the library's `customEvents`, without its distinct visitor count.
 */
export function eventNames(s: Scope, limit = 50): Query {
  if (s.split) return eventNamesSplit(s.split, opts(s), limit)
  return sql`WITH RECURSIVE ${countingCte(s.range, opts(s), 'event')}
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
