/**
 * Stream windows over the loaded events, grouped by one dimension: tumbling (size), hopping (size and
 * slide; an event belongs to every window [start, start + size) that holds it) and session windows (a
 * window closes after `gap` without events of that group). Sizes are bound as parameters (seconds).
 */
import type { Query } from '../../../warehouse/sql/query.ts'
import { where, type Scope } from './filters.ts'

export const STREAM_DIMS = {
  event: `coalesce(name, type)`,
  url: `coalesce(path, '(none)')`,
  visitor: `coalesce(visitor_id, '(none)')`,
  source: `coalesce(referrer_host, '(none)')`,
  country: `coalesce(country, '(none)')`,
} as const
export type StreamDim = keyof typeof STREAM_DIMS

export type WindowKind = 'tumbling' | 'hopping' | 'session'

export interface StreamSpec {
  kind: WindowKind
  dim: StreamDim
  /** Window size (tumbling, hopping) or gap (session), seconds. */
  size: number
  /** Slide of hopping windows, seconds. */
  slide: number
}

/** Rows (window_start, window_end, key, events, visitors), latest windows first, at most 200. */
export function streamWindows(s: Scope, spec: StreamSpec): Query {
  const w = where(s)
  const key = STREAM_DIMS[spec.dim]
  if (!key) throw new Error(`unknown stream dimension ${spec.dim}`)
  const size = Math.max(1, Math.floor(spec.size))
  const slide = Math.max(1, Math.floor(spec.slide))
  if (spec.kind === 'tumbling') {
    return {
      sql: `SELECT time_bucket(to_seconds(CAST(? AS BIGINT)), event_time) AS window_start,
  time_bucket(to_seconds(CAST(? AS BIGINT)), event_time) + to_seconds(CAST(? AS BIGINT)) AS window_end,
  ${key} AS key, count(*) AS events, count(DISTINCT visitor_id) AS visitors
FROM events WHERE ${w.sql}
GROUP BY ALL ORDER BY window_start DESC, events DESC, key LIMIT 200`,
      params: [size, size, size, ...w.params],
    }
  }
  if (spec.kind === 'hopping') {
    return {
      sql: `WITH ev AS (SELECT event_time, visitor_id, ${key} AS key FROM events WHERE ${w.sql}),
hops AS (
  SELECT unnest(generate_series(
      time_bucket(to_seconds(CAST(? AS BIGINT)), event_time - to_seconds(CAST(? AS BIGINT))) + to_seconds(CAST(? AS BIGINT)),
      time_bucket(to_seconds(CAST(? AS BIGINT)), event_time),
      to_seconds(CAST(? AS BIGINT)))) AS window_start, key, visitor_id
  FROM ev
)
SELECT window_start, window_start + to_seconds(CAST(? AS BIGINT)) AS window_end, key, count(*) AS events, count(DISTINCT visitor_id) AS visitors
FROM hops GROUP BY ALL ORDER BY window_start DESC, events DESC, key LIMIT 200`,
      params: [...w.params, slide, size, slide, slide, slide, size],
    }
  }
  return {
    sql: `WITH ev AS (SELECT event_time, event_id, visitor_id, ${key} AS key FROM events WHERE ${w.sql}),
marked AS (
  SELECT *, CASE WHEN lag(event_time) OVER k IS NULL OR event_time - lag(event_time) OVER k > to_seconds(CAST(? AS BIGINT)) THEN 1 ELSE 0 END AS new_window
  FROM ev WINDOW k AS (PARTITION BY key ORDER BY event_time, event_id)
), numbered AS (
  SELECT *, sum(new_window) OVER (PARTITION BY key ORDER BY event_time, event_id ROWS UNBOUNDED PRECEDING) AS n FROM marked
)
SELECT min(event_time) AS window_start, max(event_time) AS window_end, key, count(*) AS events, count(DISTINCT visitor_id) AS visitors
FROM numbered GROUP BY key, n ORDER BY window_start DESC, events DESC, key LIMIT 200`,
    params: [...w.params, size],
  }
}
