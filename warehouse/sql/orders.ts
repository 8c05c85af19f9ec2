/**
 * Orders: what it takes a visitor to buy. An order is a custom event named `orderEvent` ('purchase' by
 * default). Sessions are read `historyMs` (30 days by default) before the range, so the sessions that led
 * to an order are known.
 * - median_sessions_before_first_order: per visitor whose first order falls in the range, the sessions
 *   that started before the session holding it (0 = bought on the first visit);
 * - median_prior_time_ms: their summed duration;
 * - conversion_rate: visitors with an order in the range / visitors in the range.
 */
import { DAY } from './events.ts'
import { inRange, sql, type Query, type Range } from './query.ts'
import { sessionsCte, type SessionOptions } from './sessions.ts'

export interface OrderOptions extends SessionOptions {
  orderEvent?: string
  historyMs?: number
}

/**
 * One row: orders, buyers, visitors, conversion_rate, revenue, median_sessions_before_first_order,
 * median_prior_time_ms.
 */
export function orders(r: Range, o: OrderOptions = {}): Query {
  const history = { from: r.from - (o.historyMs ?? 30 * DAY), to: r.to }
  const name = o.orderEvent ?? 'purchase'
  return sql`WITH RECURSIVE ${sessionsCte(history, { ...o, materialised: false })}, placed AS (
  SELECT vk, session_id, event_time, revenue FROM sev WHERE type = 'event' AND name = ${name}
), firsts AS (
  SELECT vk, arg_min(session_id, event_time) AS session_id, min(event_time) AS first_order FROM placed GROUP BY vk
), starts AS (
  SELECT session_id, vk, start_time, duration_ms FROM sessions
), buyers AS (
  SELECT f.vk, count(s.session_id) AS sessions_before, coalesce(sum(s.duration_ms), 0) AS prior_ms
  FROM firsts f JOIN starts o ON o.session_id = f.session_id
  LEFT JOIN starts s ON s.vk = f.vk AND s.start_time < o.start_time
  WHERE ${inRange(r, 'f.first_order')}
  GROUP BY f.vk
), hits AS (SELECT * FROM sev WHERE hit AND ${inRange(r)})
SELECT
  (SELECT count(*) FROM placed WHERE ${inRange(r)}) AS orders,
  (SELECT count(DISTINCT vk) FROM placed WHERE ${inRange(r)}) AS buyers,
  (SELECT count(DISTINCT vk) FROM hits) AS visitors,
  (SELECT count(DISTINCT vk) FROM placed WHERE ${inRange(r)}) / nullif((SELECT count(DISTINCT vk) FROM hits), 0) AS conversion_rate,
  (SELECT CAST(coalesce(sum(revenue), 0) AS DOUBLE) FROM placed WHERE ${inRange(r)}) AS revenue,
  (SELECT CAST(median(sessions_before) AS DOUBLE) FROM buyers) AS median_sessions_before_first_order,
  (SELECT CAST(median(prior_ms) AS DOUBLE) FROM buyers) AS median_prior_time_ms`
}
