/**
 * The headline numbers of a range, with the same numbers for the previous period of equal length:
 * visitors (distinct canonical visitors with a matching event), visits (sessions starting in the range),
 * pageviews, views per visit, bounce rate (0..1) and average visit duration (ms).
 */
import type { Range, Query } from './query.ts'
import { inRange, sql } from './query.ts'
import { countVisitors, readsLoadTables } from './events.ts'
import { sessionsCte, type SessionOptions } from './sessions.ts'
import { hourRowsCte } from './visitor-hours.ts'

/** The period of the same length just before `r`. */
export function previousPeriod(r: Range): Range {
  const len = r.to - r.from + 1
  return { from: r.from - len, to: r.from - 1 }
}

function kpiSelect(r: Range, o: SessionOptions): Query {
  // One pass over the events and one over the sessions (a CTE read twice would be materialised whole).
  // Visitors and pageviews from the visitor hours where the scope allows (visitor-hours.ts), else the events.
  const hits = readsLoadTables(o)
    ? sql`${hourRowsCte(r)}, hits AS (SELECT count(DISTINCT vid) AS visitors, coalesce(sum(pageviews), 0)::BIGINT AS pageviews FROM hv)`
    : sql`hits AS (SELECT ${countVisitors(o)} AS visitors, count(*) FILTER (WHERE type = 'pageview') AS pageviews FROM ev WHERE hit AND ${inRange(r)})`
  return sql`(WITH RECURSIVE ${sessionsCte(r, o, false)}, ${hits}, vstats AS (
  SELECT count(*) AS visits, sum(pageviews) / nullif(count(*), 0) AS views_per_visit,
    count(*) FILTER (WHERE bounce) / nullif(count(*), 0) AS bounce_rate, avg(duration_ms) AS visit_duration_ms
  FROM sessions
)
SELECT h.visitors, v.visits, h.pageviews, v.views_per_visit, v.bounce_rate, v.visit_duration_ms FROM hits h, vstats v)`
}

/**
 * One row: visitors, visits, pageviews, views_per_visit, bounce_rate, visit_duration_ms, and prev_* of each.
 */
export function kpis(r: Range, o: SessionOptions = {}): Query {
  return sql`SELECT cur.*, prev.visitors AS prev_visitors, prev.visits AS prev_visits, prev.pageviews AS prev_pageviews,
  prev.views_per_visit AS prev_views_per_visit, prev.bounce_rate AS prev_bounce_rate, prev.visit_duration_ms AS prev_visit_duration_ms
FROM ${kpiSelect(r, o)} cur, ${kpiSelect(previousPeriod(r), o)} prev`
}
