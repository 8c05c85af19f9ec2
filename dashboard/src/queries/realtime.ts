/**
 * The realtime view, relative to `now` (a parameter, so a test can pin it): visitors of the last 5 and 15
 * minutes, visits of the last 8 hours in 30-minute buckets, devices now, top pages and categories of the
 * last hour, latest visitors and the live feed.
 */
import type { Query } from '../../../warehouse/sql/query.ts'
import type { Filter } from './filters.ts'
import { sessionsCte } from './overview.ts'
import { where } from './filters.ts'

const MIN = 60_000

function last(now: number, minutes: number, bots: boolean, filters: Filter[] = []) {
  return where({ range: { from: now - minutes * MIN, to: now }, bots, filters })
}

/** One row: current (5 min) and last-15-minute visitors. */
export function currentVisitors(now: number, bots: boolean): Query {
  const a = last(now, 5, bots)
  const b = last(now, 15, bots)
  return {
    sql: `SELECT (SELECT count(DISTINCT visitor_id) FROM events WHERE ${a.sql}) AS now_5m,
  (SELECT count(DISTINCT visitor_id) FROM events WHERE ${b.sql}) AS last_15m`,
    params: [...a.params, ...b.params],
  }
}

/** Rows (t, visits): visits started in each 30-minute bucket of the last 8 hours. */
export function visitsLast8h(now: number, bots: boolean): Query {
  const c = sessionsCte({ range: { from: now - 480 * MIN, to: now }, bots, filters: [] })
  return {
    sql: `WITH ${c.sql}
SELECT time_bucket(INTERVAL 30 MINUTE, started) AS t, count(*) AS visits FROM sessions GROUP BY t ORDER BY t`,
    params: c.params,
  }
}

/** Rows (device, visitors) of the last 5 minutes. */
export function devicesNow(now: number, bots: boolean): Query {
  const w = last(now, 5, bots)
  return {
    sql: `SELECT coalesce(device_type, '(none)') AS device, count(DISTINCT visitor_id) AS visitors
FROM events WHERE ${w.sql} GROUP BY device ORDER BY visitors DESC, device`,
    params: w.params,
  }
}

/** Rows (page, pageviews, visitors): top 10 pages of the last hour. */
export function topPagesLastHour(now: number, bots: boolean): Query {
  const w = last(now, 60, bots)
  return {
    sql: `SELECT path AS page, count(*) AS pageviews, count(DISTINCT visitor_id) AS visitors
FROM events WHERE type = 'pageview' AND ${w.sql} GROUP BY page ORDER BY pageviews DESC, page LIMIT 10`,
    params: w.params,
  }
}

/** Rows (category, events, visitors) of the last hour (commerce events carry a category). */
export function categoriesLastHour(now: number, bots: boolean): Query {
  const w = last(now, 60, bots)
  return {
    sql: `SELECT category, count(*) AS events, count(DISTINCT visitor_id) AS visitors
FROM events WHERE category IS NOT NULL AND ${w.sql} GROUP BY category ORDER BY events DESC, category LIMIT 10`,
    params: w.params,
  }
}

/** Rows (time, country, device, page): the last page of the 20 latest visitors. */
export function latestVisitors(now: number, bots: boolean): Query {
  const w = last(now, 480, bots)
  return {
    sql: `SELECT strftime(max(event_time), '%H:%M:%S') AS time, arg_max(country, event_time) AS country,
  arg_max(device_type, event_time) AS device, arg_max(path, event_time) AS page
FROM events WHERE ${w.sql} GROUP BY visitor_id ORDER BY max(event_time) DESC, page LIMIT 20`,
    params: w.params,
  }
}

/** Rows (time, type, name, page, country): the 50 latest events. */
export function liveFeed(now: number, bots: boolean): Query {
  const w = last(now, 480, bots)
  return {
    sql: `SELECT strftime(event_time, '%H:%M:%S') AS time, type, name, path AS page, country
FROM events WHERE ${w.sql} ORDER BY event_time DESC, event_id LIMIT 50`,
    params: w.params,
  }
}
