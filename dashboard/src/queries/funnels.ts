/**
 * Funnels (ordered steps by page path or event name, per visitor) and orders (sessions and time before a
 * visitor's first order).
 */
import type { Query } from '../../../warehouse/sql/query.ts'
import { where, type Scope } from './filters.ts'
import { sessionsCte } from './overview.ts'

export interface Step {
  kind: 'page' | 'event'
  value: string
}

/**
 * Rows (step, label, visitors, conversion, drop_off): visitors who did step 1, then step 2 at or after
 * it, and so on. conversion is % of step 1; drop_off is % lost since the previous step.
 */
export function funnel(s: Scope, steps: Step[]): Query {
  if (!steps.length) throw new Error('a funnel needs at least one step')
  const w = where(s)
  const params: (string | number | boolean)[] = [...w.params]
  const ctes = [`ev AS (SELECT visitor_id, event_time, type, name, path FROM events WHERE ${w.sql})`]
  steps.forEach((st, i) => {
    const match = st.kind === 'page' ? `e.type = 'pageview' AND e.path = ?` : `e.type = 'event' AND e.name = ?`
    const join = i === 0 ? '' : ` JOIN s${i - 1} p ON e.visitor_id = p.visitor_id AND e.event_time >= p.t`
    ctes.push(`s${i} AS (SELECT e.visitor_id, min(e.event_time) AS t FROM ev e${join} WHERE ${match} GROUP BY e.visitor_id)`)
    params.push(st.value)
  })
  const counts = steps.map((st, i) => `SELECT ${i + 1} AS step, ? AS label, (SELECT count(*) FROM s${i}) AS visitors`).join('\nUNION ALL ')
  for (const st of steps) params.push(`${st.kind === 'page' ? 'page' : 'event'} ${st.value}`)
  return {
    sql: `WITH ${ctes.join(',\n')}, counts AS (${counts})
SELECT step, label, visitors,
  round(100.0 * visitors / nullif(first_value(visitors) OVER (ORDER BY step), 0), 1) AS conversion,
  round(100.0 - 100.0 * visitors / nullif(lag(visitors) OVER (ORDER BY step), 0), 1) AS drop_off
FROM counts ORDER BY step`,
    params,
  }
}

/**
 * One row: orders (custom events named `orderEvent`), buyers, revenue, median visits before a buyer's
 * first order (visits that started before it) and median minutes from the first event seen to it.
 */
export function orders(s: Scope, orderEvent = 'order'): Query {
  const c = sessionsCte(s)
  return {
    sql: `WITH ${c.sql},
firsts AS (
  SELECT visitor_id, min(event_time) FILTER (WHERE type = 'event' AND name = ?) AS first_order, min(event_time) AS first_seen
  FROM ev GROUP BY visitor_id
), buyers AS (
  SELECT f.visitor_id, f.first_order, f.first_seen,
    (SELECT count(*) FROM sessions x WHERE x.visitor_id = f.visitor_id AND x.started < f.first_order) AS visits_before
  FROM firsts f WHERE first_order IS NOT NULL
)
SELECT (SELECT count(*) FROM ev WHERE type = 'event' AND name = ?) AS orders,
  (SELECT count(*) FROM buyers) AS buyers,
  (SELECT round(coalesce(sum(revenue), 0), 2) FROM ev WHERE type = 'event' AND name = ?) AS revenue,
  (SELECT median(visits_before) FROM buyers) AS median_visits_before,
  (SELECT round(median(epoch(first_order) - epoch(first_seen)) / 60, 1) FROM buyers) AS median_minutes_to_order`,
    params: [...c.params, orderEvent, orderEvent, orderEvent],
  }
}
