/**
 * The overview's own queries: the time series with filters and bots, the custom event count of the KPI
 * row, and the live event feed. Built the library's way
 * (`sql` tag: values as parameters) on its deduplicated, scoped `ev` (canonical visitor `vk`).
 */
import { countingCte, eventsCte, readsLoadTables } from './events.ts'
import { bucketStartSql, BUCKETS, offsetAt, wholeHours, type Bucket, type Offsets } from './buckets.ts'
import { offsetsOver } from '../aggregate/zone.ts'
import { inRange, int, sql, trusted, ts, type Query } from './query.ts'
import { hourRowsCte } from './visitor-hours.ts'
import { aggregatedPageviews, eventNamesSplit, type Split } from './aggregates.ts'
import { opts, type ViewScope } from './view.ts'
import { HOUR } from '../time.ts'

/**
 * Rows (t, pageviews), every bucket of the range (zeros included): what the chart draws. Buckets are cut on
 * the site's local time (`tz` of the scope; buckets.ts) and `t` is a bucket's local start. (Distinct visitors
 * per bucket would cost twice the pageviews' count, for a column nobody drew.)
 */
export function series(s: ViewScope, bucket: Bucket): Query {
  const size = trusted(`INTERVAL '${BUCKETS[bucket]}'`)
  const offsets = offsetsOver(s.range, s.tz ?? 'UTC')
  if (s.split) return seriesOf(s, size, offsets, sql`counted AS (SELECT b, sum(pageviews)::BIGINT AS pageviews FROM (${splitPageviews(s.split, bucket, s, offsets)}) GROUP BY b)`)
  // Buckets of whole hours (hour, day, week) from the visitor hours where the scope allows: an hour's
  // bucket is its events' bucket (visitor-hours.ts; a fraction of the rows, partial end hours as events).
  return seriesOf(s, size, offsets, countedOf(s, bucket, offsets))
}

/** Pageviews per bucket (b, pageviews) of a split range: the aggregates' quarter hours, then each raw part's. */
function splitPageviews(split: Split, bucket: Bucket, s: ViewScope, offsets: Offsets): Query {
  const parts = split.raw.map((r) => sql`SELECT b, pageviews FROM (WITH RECURSIVE ${countedOf({ ...s, range: r, split: undefined }, bucket, offsets)} SELECT * FROM counted)`)
  // Every zone's offset is whole quarter hours, so a quarter lies in one local bucket of any size.
  const agg = split.agg ? aggregatedPageviews(split.agg, (c) => trusted(bucketStartSql(bucket, c, offsets))) : sql`SELECT 0::BIGINT AS b, 0::BIGINT AS pageviews WHERE FALSE`
  return parts.reduce((acc, p) => sql`${acc} UNION ALL ${p}`, agg)
}

/**
 * `counted (b, pageviews)` of a range from the events, or from the visitor hours where the scope allows and
 * a UTC hour lies in one local bucket (offsets of whole hours).
 */
function countedOf(s: ViewScope, bucket: Bucket, offsets: Offsets): Query {
  return bucket !== 'minute' && wholeHours(offsets) && readsLoadTables(opts(s))
    ? sql`${hourRowsCte(s.range)}, counted AS (SELECT ${trusted(bucketStartSql(bucket, 'hour', offsets))} AS b, sum(pageviews)::BIGINT AS pageviews FROM hv GROUP BY b)`
    : sql`${countingCte(s.range, opts(s))}, counted AS (
  SELECT ${trusted(bucketStartSql(bucket, 'event_time', offsets))} AS b, count(*) AS pageviews FROM ev WHERE hit AND type = 'pageview' AND ${inRange(s.range)} GROUP BY b
)`
}

/** Every bucket of the range (zeros included, by local start) with its pageviews, from `counted (b, pageviews)`. */
function seriesOf(s: ViewScope, size: Query, offsets: Offsets, counted: Query): Query {
  const from = s.range.from + offsetAt(offsets, s.range.from)
  const to = s.range.to + offsetAt(offsets, s.range.to)
  return sql`WITH RECURSIVE ${counted}, buckets AS (
  SELECT unnest(generate_series(time_bucket(${size}, ${ts(from)}), ${ts(to)}, ${size})) AS t
), counts AS (
  -- Buckets are computed on integers and grouped by them (buckets.ts); time_bucket's origin is Monday
  -- 2000-01-03 (weeks start on Mondays; minutes, hours and days are aligned to it too).
  SELECT make_timestamp(b) AS t, pageviews FROM counted
)
SELECT t, coalesce(pageviews, 0) AS pageviews
FROM buckets LEFT JOIN counts USING (t) ORDER BY t`
}

/** One row (events): custom events in the scope. */
export function eventCount(s: ViewScope): Query {
  return sql`WITH RECURSIVE ${countingCte(s.range, opts(s), 'event')}
SELECT count(*) AS events FROM ev WHERE hit AND type = 'event' AND ${inRange(s.range)}`
}

/**
 * Rows (name, events): the custom event names of the scope, most events first, for the event picker: the
 * names and order of the library's `customEvents`, without its distinct visitor count.
 */
export function eventNames(s: ViewScope, limit = 50): Query {
  if (s.split) return eventNamesSplit(s.split, opts(s), limit)
  return sql`WITH RECURSIVE ${countingCte(s.range, opts(s), 'event')}
SELECT name, count(*) AS events FROM ev WHERE hit AND type = 'event' AND ${inRange(s.range)}
GROUP BY name ORDER BY events DESC, name LIMIT ${int(limit)}`
}

/** Rows (time, type, name, path, country, device_type): the latest events up to `now`, newest first. */
export function liveFeed(now: number, s: Omit<ViewScope, 'range'>, limit = 50): Query {
  const r = { from: now - HOUR, to: now }
  return sql`WITH RECURSIVE ${eventsCte(r, opts({ ...s, range: r }))}
SELECT event_time AS time, type, name, path, country, device_type FROM ev WHERE hit
ORDER BY event_time DESC, event_id DESC LIMIT ${int(limit)}`
}
