/**
 * Orders: what it takes a customer to buy. An order is a custom event named `orderEvent` (`ORDER_EVENT`,
 * 'order', by default: the name the tracker's shop, the generator and the dashboard send). Customers are
 * people (persons.ts: a visitor who identified is their user across visitor ids and days), so a journey
 * spans visits on several days. Events are read `historyMs` (30 days by default) before the range, so the
 * sessions that led to an order are known.
 * - median_sessions_before_first_order: per person whose first order falls in the range, the sessions that
 *   started before the session holding it (0 = bought on the first visit);
 * - median_prior_time_ms: "time in earlier sessions", their summed duration (the time spent on the site);
 * - median_time_to_first_order_ms: "time until the first order", the time elapsed from the person's first
 *   event (in the history read) to their first order, days away included;
 * - conversion_rate: people with an order in the range / people with an event in the range.
 */
import { DAY } from './events.ts'
import { personsCte } from './persons.ts'
import { inRange, sql, type Query, type Range } from './query.ts'
import { sessionsCte, type SessionOptions } from './sessions.ts'

/** The name of the order event, everywhere an order is counted. */
export const ORDER_EVENT = 'order'

export interface OrderOptions extends SessionOptions {
  orderEvent?: string
  historyMs?: number
}

/**
 * One row: orders, buyers, visitors, people, conversion_rate, revenue, median_sessions_before_first_order,
 * median_prior_time_ms, median_time_to_first_order_ms.
 */
export function orders(r: Range, o: OrderOptions = {}): Query {
  return sql`WITH RECURSIVE ${buyersCte(r, o)}, hits AS (SELECT * FROM pev WHERE hit AND ${inRange(r)})
SELECT
  (SELECT count(*) FROM placed WHERE ${inRange(r)}) AS orders,
  (SELECT count(DISTINCT person) FROM placed WHERE ${inRange(r)}) AS buyers,
  (SELECT count(DISTINCT vk) FROM hits) AS visitors,
  (SELECT count(DISTINCT person) FROM hits) AS people,
  (SELECT count(DISTINCT person) FROM placed WHERE ${inRange(r)}) / nullif((SELECT count(DISTINCT person) FROM hits), 0) AS conversion_rate,
  (SELECT CAST(coalesce(sum(revenue), 0) AS DOUBLE) FROM placed WHERE ${inRange(r)}) AS revenue,
  (SELECT CAST(median(sessions_before) AS DOUBLE) FROM buyers) AS median_sessions_before_first_order,
  (SELECT CAST(median(prior_ms) AS DOUBLE) FROM buyers) AS median_prior_time_ms,
  (SELECT CAST(median(until_ms) AS DOUBLE) FROM buyers) AS median_time_to_first_order_ms`
}

/**
 * Rows, one per person whose first order falls in the range, by its time: person, first_order,
 * sessions_before, prior_ms (time in earlier sessions), until_ms (time until the first order). The journeys
 * behind `orders()`'s medians.
 */
export function firstOrders(r: Range, o: OrderOptions = {}): Query {
  return sql`WITH RECURSIVE ${buyersCte(r, o)}
SELECT person, first_order, sessions_before, prior_ms, until_ms FROM buyers ORDER BY first_order, person`
}

/** CTEs: sessions (sessions.ts), persons (persons.ts), `placed` (orders), `buyers` (one row per first order in the range). */
function buyersCte(r: Range, o: OrderOptions): Query {
  const history = { from: r.from - (o.historyMs ?? 30 * DAY), to: r.to }
  const name = o.orderEvent ?? ORDER_EVENT
  return sql`${sessionsCte(history, { ...o, materialised: false })}, ${personsCte()}, placed AS (
  SELECT p.person, s.session_id, s.event_time, s.revenue FROM sev s JOIN visitor_person p USING (vk) WHERE s.type = 'event' AND s.name = ${name}
), firsts AS (
  SELECT person, arg_min(session_id, event_time) AS session_id, min(event_time) AS first_order FROM placed GROUP BY person
), starts AS (
  SELECT s.session_id, p.person, s.start_time, s.duration_ms FROM sessions s JOIN visitor_person p USING (vk)
), first_seen AS (
  SELECT person, min(event_time) AS first_time FROM pev WHERE person IS NOT NULL AND ${inRange(history)} GROUP BY person
), buyers AS (
  SELECT f.person, f.first_order, count(s.session_id) AS sessions_before, CAST(coalesce(sum(s.duration_ms), 0) AS BIGINT) AS prior_ms,
    epoch_ms(f.first_order) - epoch_ms(any_value(fs.first_time)) AS until_ms
  FROM firsts f JOIN starts o ON o.session_id = f.session_id JOIN first_seen fs ON fs.person = f.person
  LEFT JOIN starts s ON s.person = f.person AND s.start_time < o.start_time
  WHERE ${inRange(r, 'f.first_order')}
  GROUP BY f.person, f.first_order
)`
}
