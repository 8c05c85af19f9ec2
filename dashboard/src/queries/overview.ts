/**
 * Overview panels over a Scope: KPIs (from sessions), time series, breakdowns, entry/exit pages, custom
 * events and their properties. Each function returns a parameterised Query that runs unchanged in
 * DuckDB-WASM (the dashboard) and native DuckDB (the tests' reference).
 */
import { BUCKETS, type Bucket } from '../../../warehouse/sql/overview.ts'
import type { Query } from '../../../warehouse/sql/query.ts'
import { dimSql, propKeysSql, propValueSql, where, type Dimension, type Scope } from './filters.ts'

/** A visit ends after 30 minutes without an event (DESIGN.md, "Sessionization"). */
export const SESSION_GAP_MINUTES = 30

const SESSIONS_BODY = `marked AS (
  SELECT *, CASE WHEN lag(event_time) OVER w IS NULL
    OR event_time - lag(event_time) OVER w > INTERVAL ${SESSION_GAP_MINUTES} MINUTE THEN 1 ELSE 0 END AS new_visit
  FROM ev WINDOW w AS (PARTITION BY visitor_id ORDER BY event_time, event_id)
), numbered AS (
  SELECT *, sum(new_visit) OVER (PARTITION BY visitor_id ORDER BY event_time, event_id ROWS UNBOUNDED PRECEDING) AS visit_no
  FROM marked
), sessions AS (
  SELECT visitor_id, visit_no, min(event_time) AS started, max(event_time) AS ended,
    count(*) FILTER (WHERE type = 'pageview') AS pageviews,
    arg_min(path, event_time) FILTER (WHERE type = 'pageview') AS entry_page,
    arg_max(path, event_time) FILTER (WHERE type = 'pageview') AS exit_page
  FROM numbered GROUP BY visitor_id, visit_no
)`

/**
 * CTEs `ev` (the scope's events) and `sessions` (one row per visit: visitor, start, end, pageviews, entry
 * and exit page). Out-of-order arrival does not matter: the order is by event time, ties by event id.
 */
export function sessionsCte(s: Scope): Query {
  const w = where(s)
  return {
    sql: `ev AS (SELECT * FROM events WHERE ${w.sql}),
${SESSIONS_BODY}`,
    params: w.params,
  }
}

/**
 * One row: visitors, visits, pageviews, views_per_visit, bounce_rate (% of visits with at most one
 * pageview), visit_duration (mean seconds from first to last event of a visit), events (custom).
 */
export function kpis(s: Scope): Query {
  const c = sessionsCte(s)
  return {
    sql: `WITH ${c.sql}
SELECT
  (SELECT count(DISTINCT visitor_id) FROM ev) AS visitors,
  (SELECT count(*) FROM sessions) AS visits,
  (SELECT count(*) FROM ev WHERE type = 'pageview') AS pageviews,
  (SELECT count(*) FROM ev WHERE type = 'event') AS events,
  round((SELECT count(*) FROM ev WHERE type = 'pageview') / nullif((SELECT count(*) FROM sessions), 0), 2) AS views_per_visit,
  round(100.0 * (SELECT count(*) FROM sessions WHERE pageviews <= 1) / nullif((SELECT count(*) FROM sessions), 0), 1) AS bounce_rate,
  round((SELECT avg(epoch(ended) - epoch(started)) FROM sessions), 1) AS visit_duration`,
    params: c.params,
  }
}

/** Rows (t, pageviews, visitors), every bucket of the range (zeros included). */
export function series(s: Scope, bucket: Bucket): Query {
  const w = where(s)
  const size = `INTERVAL '${BUCKETS[bucket]}'`
  const from = new Date(s.range.from).toISOString().replace('Z', '')
  const to = new Date(s.range.to).toISOString().replace('Z', '')
  return {
    sql: `WITH buckets AS (
  SELECT unnest(generate_series(time_bucket(${size}, CAST(? AS TIMESTAMP)), CAST(? AS TIMESTAMP), ${size})) AS t
), counts AS (
  SELECT time_bucket(${size}, event_time) AS t, count(*) AS pageviews, count(DISTINCT visitor_id) AS visitors
  FROM events WHERE type = 'pageview' AND ${w.sql} GROUP BY t
)
SELECT t, coalesce(pageviews, 0) AS pageviews, coalesce(visitors, 0) AS visitors
FROM buckets LEFT JOIN counts USING (t) ORDER BY t`,
    params: [from, to, ...w.params],
  }
}

/**
 * Rows (value, visitors, pageviews) by a dimension, most visitors first; for custom events (value,
 * visitors, events). Pages count pageviews only.
 */
export function breakdown(s: Scope, dim: Dimension, limit = 10): Query {
  const w = where(s)
  const only = dim === 'page' ? ` AND type = 'pageview'` : dim === 'event' ? ` AND type = 'event'` : ''
  const count = dim === 'event' ? `count(*) AS events` : `count(*) FILTER (WHERE type = 'pageview') AS pageviews`
  return {
    sql: `SELECT ${dimSql(dim)} AS value, count(DISTINCT visitor_id) AS visitors, ${count}
FROM events WHERE ${w.sql}${only}
GROUP BY value ORDER BY visitors DESC, ${dim === 'event' ? 'events' : 'pageviews'} DESC, value LIMIT ?`,
    params: [...w.params, limit],
  }
}

/** Rows (value, visits, bounce_rate) for entry or exit pages. */
export function entryExit(s: Scope, which: 'entry' | 'exit', limit = 10): Query {
  const c = sessionsCte(s)
  return {
    sql: `WITH ${c.sql}
SELECT ${which}_page AS value, count(*) AS visits, round(100.0 * count(*) FILTER (WHERE pageviews <= 1) / count(*), 1) AS bounce_rate
FROM sessions WHERE ${which}_page IS NOT NULL GROUP BY value ORDER BY visits DESC, value LIMIT ?`,
    params: [...c.params, limit],
  }
}

/** Rows (value, events, visitors) of one property of custom events (props JSON), optionally of one event name. */
export function propBreakdown(s: Scope, prop: string, limit = 10): Query {
  const w = where(s)
  return {
    sql: `SELECT coalesce(${propValueSql('props')}, '(none)') AS value, count(*) AS events, count(DISTINCT visitor_id) AS visitors
FROM events WHERE type = 'event' AND ${w.sql}
GROUP BY value ORDER BY events DESC, value LIMIT ?`,
    params: [prop, ...w.params, limit],
  }
}

/** Rows (key, events): the property keys of custom events in scope. */
export function propKeys(s: Scope): Query {
  const w = where(s)
  return {
    sql: `SELECT key, count(*) AS events FROM (
  SELECT unnest(${propKeysSql('props')}) AS key FROM events WHERE type = 'event' AND props IS NOT NULL AND ${w.sql}
) GROUP BY key ORDER BY events DESC, key LIMIT 20`,
    params: w.params,
  }
}

/** `sessions` over all loaded events (bots included, as stored), for the SQL console. */
export const createSessionsView = `CREATE OR REPLACE VIEW sessions AS WITH ev AS (SELECT * FROM events),
${SESSIONS_BODY} SELECT * FROM sessions`
