/**
 * The headline numbers of a range, with the same numbers for the previous period of equal length:
 * visitors (distinct canonical visitors with a matching event), visits (sessions starting in the range),
 * pageviews, views per visit, bounce rate (0..1) and average visit duration (ms).
 */
import type { Range, Query } from './query.ts'
import { inRange, sql } from './query.ts'
import { sessionsCte, type SessionOptions } from './sessions.ts'

/** The period of the same length just before `r`. */
export function previousPeriod(r: Range): Range {
  const len = r.to - r.from + 1
  return { from: r.from - len, to: r.from - 1 }
}

function kpiSelect(r: Range, o: SessionOptions): Query {
  return sql`(WITH RECURSIVE ${sessionsCte(r, o)}, hits AS (SELECT * FROM ev WHERE hit AND ${inRange(r)})
SELECT
  (SELECT count(DISTINCT vk) FROM hits) AS visitors,
  (SELECT count(*) FROM sessions) AS visits,
  (SELECT count(*) FILTER (WHERE type = 'pageview') FROM hits) AS pageviews,
  (SELECT sum(pageviews) / nullif(count(*), 0) FROM sessions) AS views_per_visit,
  (SELECT count(*) FILTER (WHERE bounce) / nullif(count(*), 0) FROM sessions) AS bounce_rate,
  (SELECT avg(duration_ms) FROM sessions) AS visit_duration_ms)`
}

/**
 * One row: visitors, visits, pageviews, views_per_visit, bounce_rate, visit_duration_ms, and prev_* of each.
 */
export function kpis(r: Range, o: SessionOptions = {}): Query {
  return sql`SELECT cur.*, prev.visitors AS prev_visitors, prev.visits AS prev_visits, prev.pageviews AS prev_pageviews,
  prev.views_per_visit AS prev_views_per_visit, prev.bounce_rate AS prev_bounce_rate, prev.visit_duration_ms AS prev_visit_duration_ms
FROM ${kpiSelect(r, o)} cur, ${kpiSelect(previousPeriod(r), o)} prev`
}
