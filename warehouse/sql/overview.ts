/**
 * The overview's own queries: the time series of each KPI with filters and bots, the custom event count of
 * the KPI row, and the live event feed. Built the library's way
 * (`sql` tag: values as parameters) on its deduplicated, scoped `ev` (canonical visitor `vk`).
 */
import { countingCte, countVisitors, eventsCte, readsLoadTables, VID } from './events.ts'
import { bucketStartSql, BUCKETS, offsetAt, wholeHours, type Bucket, type Offsets } from './buckets.ts'
import { offsetsOver } from '../aggregate/zone.ts'
import { inRange, int, sql, trusted, ts, type Query } from './query.ts'
import { hourRowsCte } from './visitor-hours.ts'
import { aggregatedDayVisitors, aggregatedSeries, eventNamesSplit, type QuarterSum, type Split } from './aggregates.ts'
import { sessionsCte } from './sessions.ts'
import { opts, type ViewScope } from './view.ts'
import { HOUR } from '../time.ts'

/** What the time series can draw per bucket: the KPIs of the overview (panels.ts). */
export const SERIES_METRICS = ['visitors', 'visits', 'pageviews', 'views_per_visit', 'bounce_rate', 'visit_duration_ms', 'events'] as const
export type SeriesMetric = (typeof SERIES_METRICS)[number]
export const isSeriesMetric = (m: unknown): m is SeriesMetric => (SERIES_METRICS as readonly unknown[]).includes(m)

/** The sums a bucket's value is computed from (columns of `counted`), and the value from them. */
const SUMS: Record<SeriesMetric, { sums: readonly (QuarterSum | 'visitors')[]; value: string; ratio?: true }> = {
  visitors: { sums: ['visitors'], value: 'visitors' },
  visits: { sums: ['visits'], value: 'visits' },
  pageviews: { sums: ['pageviews'], value: 'pageviews' },
  views_per_visit: { sums: ['visit_pageviews', 'visits'], value: 'visit_pageviews / nullif(visits, 0)', ratio: true },
  bounce_rate: { sums: ['bounces', 'visits'], value: 'bounces / nullif(visits, 0)', ratio: true },
  visit_duration_ms: { sums: ['duration_ms', 'visits'], value: 'duration_ms / nullif(visits, 0)', ratio: true },
  events: { sums: ['events'], value: 'events' },
}

/**
 * Rows (t, <metric>), every bucket of the range: what the chart draws. Buckets are cut on the site's local
 * time (`tz` of the scope; buckets.ts) and `t` is a bucket's local start. Counts are 0 in an empty bucket;
 * rates and averages (views per visit, bounce rate, visit duration) are NULL there (no visit to divide by).
 * Visits and what is computed from them belong to the bucket their session started in, as the KPIs count
 * them. Unique visitors are distinct per bucket: over aggregated days (a split scope) the tier keeps them
 * per local day only, so there they are given for day buckets and NULL for other buckets
 * (`visitorsExact`).
 */
export function series(s: ViewScope, bucket: Bucket, metric: SeriesMetric = 'pageviews'): Query {
  const size = trusted(`INTERVAL '${BUCKETS[bucket]}'`)
  const offsets = offsetsOver(s.range, s.tz ?? 'UTC')
  const spec = SUMS[metric]
  if (metric === 'visitors' && !visitorsExact(s, bucket))
    return seriesOf(s, size, offsets, sql`counted AS (SELECT 0::BIGINT AS b, NULL::BIGINT AS visitors WHERE FALSE)`, 'visitors')
  const value = spec.ratio ? `${spec.value} AS ${metric}` : `coalesce(${spec.value}, 0) AS ${metric}`
  if (s.split) {
    const sums = spec.sums.map((c) => `sum(${c})${c === 'duration_ms' ? '::DOUBLE' : '::BIGINT'} AS ${c}`).join(', ')
    return seriesOf(
      s,
      size,
      offsets,
      sql`counted AS (SELECT b, ${trusted(sums)} FROM (${splitRows(s.split, bucket, s, offsets, metric)}) GROUP BY b)`,
      value,
    )
  }
  return seriesOf(s, size, offsets, countedOf(s, bucket, offsets, metric), value)
}

/** Whether unique visitors per bucket are exact for this scope and bucket (see `series`). */
export function visitorsExact(s: ViewScope, bucket: Bucket): boolean {
  return !s.split?.agg || bucket === 'day'
}

/** A metric's rows per bucket (b, ...sums) of a split range: the aggregates' rows, then each raw part's. */
function splitRows(split: Split, bucket: Bucket, s: ViewScope, offsets: Offsets, metric: SeriesMetric): Query {
  const cols = SUMS[metric].sums.join(', ')
  const parts = split.raw.map(
    (r) =>
      sql`SELECT b, ${trusted(cols)} FROM (WITH RECURSIVE ${countedOf({ ...s, range: r, split: undefined }, bucket, offsets, metric)} SELECT * FROM counted)`,
  )
  // Every zone's offset is whole quarter hours, so a quarter lies in one local bucket of any size.
  const start = (c: string) => trusted(bucketStartSql(bucket, c, offsets))
  const agg = !split.agg
    ? sql`SELECT 0::BIGINT AS b, ${trusted(SUMS[metric].sums.map((c) => `0 AS ${c}`).join(', '))} WHERE FALSE`
    : metric === 'visitors'
      ? aggregatedDayVisitors(split.agg, start, s.filters)
      : aggregatedSeries(split.agg, start, SUMS[metric].sums as QuarterSum[], s.filters)
  return parts.reduce((acc, p) => sql`${acc} UNION ALL ${p}`, agg)
}

/**
 * `counted (b, ...sums)` of a metric over a range from the events, or from the load's tables where the
 * scope allows: pageviews and visitors from the visitor hours when a UTC hour lies in one local bucket
 * (offsets of whole hours), visits from the sessions (`visits` when materialised), custom events from
 * `custom_events`.
 */
function countedOf(s: ViewScope, bucket: Bucket, offsets: Offsets, metric: SeriesMetric = 'pageviews'): Query {
  const o = opts(s)
  const at = (c: string) => trusted(bucketStartSql(bucket, c, offsets))
  if (metric === 'events') {
    return sql`${countingCte(s.range, o, 'event')}, counted AS (
  SELECT ${at('event_time')} AS b, count(*) AS events FROM ev WHERE hit AND type = 'event' AND ${inRange(s.range)} GROUP BY b
)`
  }
  if (metric !== 'pageviews' && metric !== 'visitors') {
    return sql`${sessionsCte(s.range, o, false)}, counted AS (
  SELECT ${at('start_time')} AS b, count(*) AS visits, coalesce(sum(pageviews), 0)::BIGINT AS visit_pageviews,
    count(*) FILTER (WHERE bounce) AS bounces, coalesce(sum(duration_ms), 0)::DOUBLE AS duration_ms
  FROM sessions GROUP BY b
)`
  }
  const hours = bucket !== 'minute' && wholeHours(offsets) && readsLoadTables(o)
  if (metric === 'visitors') {
    return hours
      ? sql`${hourRowsCte(s.range)}, counted AS (SELECT ${at('hour')} AS b, count(DISTINCT ${trusted(VID)}) AS visitors FROM hv GROUP BY b)`
      : sql`${countingCte(s.range, o)}, counted AS (
  SELECT ${at('event_time')} AS b, ${countVisitors(o)} AS visitors FROM ev WHERE hit AND ${inRange(s.range)} GROUP BY b
)`
  }
  // Buckets of whole hours (hour, day, week) from the visitor hours: an hour's bucket is its events' bucket
  // (visitor-hours.ts; a fraction of the rows, partial end hours as events).
  return hours
    ? sql`${hourRowsCte(s.range)}, counted AS (SELECT ${at('hour')} AS b, sum(pageviews)::BIGINT AS pageviews FROM hv GROUP BY b)`
    : sql`${countingCte(s.range, o)}, counted AS (
  SELECT ${at('event_time')} AS b, count(*) AS pageviews FROM ev WHERE hit AND type = 'pageview' AND ${inRange(s.range)} GROUP BY b
)`
}

/** Every bucket of the range (by local start) with its value (`value`: a select item over `counted`'s columns). */
function seriesOf(s: ViewScope, size: Query, offsets: Offsets, counted: Query, value: string): Query {
  const from = s.range.from + offsetAt(offsets, s.range.from)
  const to = s.range.to + offsetAt(offsets, s.range.to)
  return sql`WITH RECURSIVE ${counted}, buckets AS (
  SELECT unnest(generate_series(time_bucket(${size}, ${ts(from)}), ${ts(to)}, ${size})) AS t
), counts AS (
  -- Buckets are computed on integers and grouped by them (buckets.ts); time_bucket's origin is Monday
  -- 2000-01-03 (weeks start on Mondays; minutes, hours and days are aligned to it too).
  SELECT make_timestamp(b) AS t, * EXCLUDE (b) FROM counted
)
SELECT t, ${trusted(value)}
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
