/**
 * Realtime panels. Every query takes `now` (epoch ms) as a parameter instead of reading the clock, so
 * the dashboard and the tests choose it. Windows are inclusive: "last 5 minutes" is [now - 5 min, now].
 */
import { eventsCte, HOUR, MINUTE, type Scope } from './events.ts'
import { int, inRange, sql, ts, type Query } from './query.ts'
import { sessionsCte, type SessionOptions } from './sessions.ts'

const last = (now: number, ms: number) => ({ from: now - ms, to: now })

/** One row: visitors_5m, visitors_15m (distinct canonical visitors with any event). */
export function liveVisitors(now: number, o: Scope = {}): Query {
  return sql`WITH RECURSIVE ${eventsCte(last(now, 15 * MINUTE), o)}
SELECT count(DISTINCT vk) FILTER (WHERE ${inRange(last(now, 5 * MINUTE))}) AS visitors_5m, count(DISTINCT vk) AS visitors_15m
FROM ev WHERE hit`
}

/**
 * Rows: t (bucket start), sessions — sessions started in each 30-minute bucket of the last 8 hours,
 * 16 buckets aligned to the half hour, the last one holding `now`, empty buckets included.
 */
export function sessionsLast8h(now: number, o: SessionOptions = {}): Query {
  const size = 30 * MINUTE
  const first = Math.floor(now / size) * size - 15 * size
  return sql`WITH RECURSIVE ${sessionsCte({ from: first, to: now }, o)}, buckets AS (
  SELECT epoch_ms(${int(first)} + i * ${int(size)}) AS t FROM range(16) r(i)
), counts AS (
  SELECT epoch_ms(epoch_ms(start_time) // ${int(size)} * ${int(size)}) AS t, count(*) AS sessions FROM sessions GROUP BY t
)
SELECT t, coalesce(sessions, 0) AS sessions FROM buckets LEFT JOIN counts USING (t) ORDER BY t`
}

/** Rows: device_type, visitors — visitors of the last 5 minutes by device. */
export function devicesNow(now: number, o: Scope = {}): Query {
  return sql`WITH RECURSIVE ${eventsCte(last(now, 5 * MINUTE), o)}
SELECT device_type, count(DISTINCT vk) AS visitors FROM ev WHERE hit
GROUP BY device_type ORDER BY visitors DESC, device_type NULLS LAST`
}

/** Rows: path, pageviews, visitors — the 10 (or `limit`) most viewed pages of the last hour. */
export function topPagesLastHour(now: number, o: Scope & { limit?: number } = {}): Query {
  return sql`WITH RECURSIVE ${eventsCte(last(now, HOUR), o)}
SELECT path, count(*) AS pageviews, count(DISTINCT vk) AS visitors FROM ev WHERE hit AND type = 'pageview'
GROUP BY path ORDER BY pageviews DESC, path LIMIT ${int(o.limit ?? 10)}`
}

/**
 * Rows: visitor, last_seen, path, country, device_type, browser — the latest visitors of the last hour,
 * newest first, with what their last event showed.
 */
export function latestVisitors(now: number, o: Scope & { limit?: number } = {}): Query {
  // The visitor shown is the key of the hour's own chain (not the loaded data's): no materialised keys.
  return sql`WITH RECURSIVE ${eventsCte(last(now, HOUR), { ...o, materialised: false })}
SELECT vk AS visitor, max(event_time) AS last_seen, arg_max(path, (event_time, event_id)) AS path,
  arg_max(country, (event_time, event_id)) AS country, arg_max(device_type, (event_time, event_id)) AS device_type,
  arg_max(browser, (event_time, event_id)) AS browser
FROM ev WHERE hit GROUP BY vk ORDER BY last_seen DESC, visitor LIMIT ${int(o.limit ?? 10)}`
}

/** Rows: category, events, visitors — product categories seen in the last hour (commerce events). */
export function categoriesLastHour(now: number, o: Scope & { limit?: number } = {}): Query {
  return sql`WITH RECURSIVE ${eventsCte(last(now, HOUR), o)}
SELECT category, count(*) AS events, count(DISTINCT vk) AS visitors FROM ev WHERE hit AND category IS NOT NULL
GROUP BY category ORDER BY events DESC, category LIMIT ${int(o.limit ?? 10)}`
}

/** The `now` of a query, as a TIMESTAMP parameter (for callers composing their own realtime SQL). */
export const nowParam = ts
