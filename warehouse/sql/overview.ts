/**
 * Overview queries of the dashboard: pageviews over time, top pages, totals.
 * Each returns a parameterised Query; run it with DuckDB-WASM or native DuckDB.
 */
import { inRange, type Query, type Range } from './query.ts'

export const BUCKETS = { minute: '1 minute', hour: '1 hour', day: '1 day', week: '1 week' } as const
export type Bucket = keyof typeof BUCKETS

/** Picks a bucket that gives a readable number of points for the range. */
export function bucketFor(r: Range): Bucket {
  const hours = (r.to - r.from) / 3_600_000
  return hours <= 3 ? 'minute' : hours <= 72 ? 'hour' : hours <= 24 * 120 ? 'day' : 'week'
}

/**
 * Rows: (t TIMESTAMP, pageviews BIGINT, visitors BIGINT), one per bucket of the range, empty buckets
 * included (zeros), so a chart's x axis is the whole range.
 */
export function pageviewsOverTime(r: Range, bucket: Bucket): Query {
  const where = inRange(r)
  const size = `INTERVAL '${BUCKETS[bucket]}'`
  return {
    sql: `WITH buckets AS (
  SELECT unnest(generate_series(time_bucket(${size}, CAST(? AS TIMESTAMP)), CAST(? AS TIMESTAMP), ${size})) AS t
), counts AS (
  SELECT time_bucket(${size}, event_time) AS t, count(*) AS pageviews, count(DISTINCT visitor_id) AS visitors
  FROM events WHERE type = 'pageview' AND ${where.sql} GROUP BY t
)
SELECT t, coalesce(pageviews, 0) AS pageviews, coalesce(visitors, 0) AS visitors
FROM buckets LEFT JOIN counts USING (t) ORDER BY t`,
    params: [...where.params, ...where.params],
  }
}

/** Rows: (path VARCHAR, pageviews BIGINT, visitors BIGINT), most viewed first. */
export function topPages(r: Range, limit = 10): Query {
  const where = inRange(r)
  return {
    sql: `SELECT path, count(*) AS pageviews, count(DISTINCT visitor_id) AS visitors
FROM events WHERE type = 'pageview' AND ${where.sql}
GROUP BY path ORDER BY pageviews DESC, path LIMIT ?`,
    params: [...where.params, limit],
  }
}

/** One row: (pageviews BIGINT, visitors BIGINT, events BIGINT). */
export function totals(r: Range): Query {
  const where = inRange(r)
  return {
    sql: `SELECT count(*) FILTER (WHERE type = 'pageview') AS pageviews,
       count(DISTINCT visitor_id) AS visitors, count(*) FILTER (WHERE type = 'event') AS events
FROM events WHERE ${where.sql}`,
    params: where.params,
  }
}
