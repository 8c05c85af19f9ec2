/**
 * Hand-made lakes whose answers are counted by hand in the tests that use them: the places where readers
 * could disagree with each other (a visit longer than a day, one event id in two sites) and the journeys of
 * customers across days. Day D = 2026-01-10 (UTC), as in `shop.ts`.
 */
import type { EventRow } from '../schema.ts'
import { eventRow } from './rows.ts'
import { at } from './shop.ts'

/** A visitor id as the edge makes them: 32 hex digits (the aggregate tier's sketch reads their bits). */
export const hex = (c: string) => c.repeat(32).slice(0, 32)

const MINUTE = 60_000

/** The duration of `longVisit()`: D 22:00 to D+2 00:00. */
export const LONG_VISIT_MS = 26 * 60 * MINUTE

/**
 * One visitor active for 26 hours without a 30-minute gap: a pageview every 20 minutes from D 22:00 to
 * D+2 00:00 (79 pageviews), the visitor id rotating with the salt at each UTC midnight as the edge does
 * (`visitor_id_prev` on the events of the first 30 minutes). One visit of 26 hours, in day D; none in D+1.
 * Each hour is its own list (a part file).
 */
export function longVisit(): EventRow[][] {
  const ids = [hex('1'), hex('2'), hex('3')] // D, D+1, D+2
  const hours = new Map<number, EventRow[]>()
  for (let i = 0; i <= 78; i++) {
    const t = at(0, 22) + i * 20 * MINUTE
    const day = Math.floor((t - at(0, 0)) / (24 * 60 * MINUTE))
    const sinceMidnight = t - at(day, 0)
    const row = eventRow({
      event_id: `long${String(i).padStart(3, '0')}`,
      event_time: t,
      client_time: t,
      received_time: t + 40,
      visitor_id: ids[day]!,
      visitor_id_prev: day > 0 && sinceMidnight < 30 * MINUTE ? ids[day - 1]! : null,
      path: `/p${i % 5}`,
      url: `https://shop.example/p${i % 5}`,
      country: 'DE',
      device_type: 'desktop',
      browser: 'Firefox',
      os: 'Linux',
    })
    const hour = Math.floor(t / (60 * MINUTE))
    hours.set(hour, [...(hours.get(hour) ?? []), row])
  }
  return [...hours.values()]
}

/** Monday 2026-01-12 and Wednesday 2026-01-14 (days 2 and 4 after D). */
export const MONDAY = 2
export const WEDNESDAY = 4

/**
 * A customer across days, and two visitors who are never joined to anyone (times UTC):
 *
 *   visitor  day  time   type      what                   person
 *   M        Mon  10:00  pageview  /                      user:c-7 (M identified on Monday)
 *   M        Mon  10:02  identify  user c-7               session S1 10:00-10:05 (300 s), no order
 *   M        Mon  10:05  pageview  /account (user c-7)
 *   W        Wed  09:00  pageview  /                      user:c-7 (W identifies in the evening)
 *   W        Wed  09:10  pageview  /tea                   session S2 09:00-09:10 (600 s), anonymous then
 *   Y        Wed  09:30  pageview  /                      visitor:Y (never identifies, never buys)
 *   X        Wed  12:00  pageview  /                      visitor:X (anonymous buyer, first visit)
 *   X        Wed  12:03  event     order 10
 *   W        Wed  19:00  pageview  /                      session S3 (a new visit after 9 h 50 min)
 *   W        Wed  19:01  identify  user c-7
 *   W        Wed  19:04  pageview  /checkout (user c-7)
 *   W        Wed  19:06  event     order 30 (user c-7)
 *
 * c-7's first order: 2 sessions before it (S1, joined by the user id; S2, joined by W's visitor id), 900 s
 * in them, and 2 days 9 h 6 min (205,560,000 ms) from the first event on Monday. X: 0, 0 and 180,000 ms.
 */
export function customerJourneys(): EventRow[][] {
  let n = 0
  const ev = (visitor: string, day: number, h: number, m: number, type: EventRow['type'], path: string, over: Partial<EventRow> = {}) => {
    const t = at(day, h, m)
    return eventRow({
      event_id: `j${String(++n).padStart(3, '0')}`,
      type,
      event_time: t,
      client_time: t,
      received_time: t + 60,
      visitor_id: visitor,
      path,
      url: `https://shop.example${path}`,
      country: 'FR',
      device_type: 'desktop',
      browser: 'Firefox',
      os: 'Linux',
      ...over,
    })
  }
  const M = hex('a'),
    W = hex('b'),
    X = hex('c'),
    Y = hex('d')
  const order = (revenue: number) => ({ name: 'order', revenue, currency: 'EUR', props: { revenue, currency: 'EUR' } })
  return [
    [
      ev(M, MONDAY, 10, 0, 'pageview', '/'),
      ev(M, MONDAY, 10, 2, 'identify', '/', { user_id: 'c-7', props: { tier: 'gold' } }),
      ev(M, MONDAY, 10, 5, 'pageview', '/account', { user_id: 'c-7' }),
    ],
    [ev(W, WEDNESDAY, 9, 0, 'pageview', '/'), ev(W, WEDNESDAY, 9, 10, 'pageview', '/tea'), ev(Y, WEDNESDAY, 9, 30, 'pageview', '/')],
    [ev(X, WEDNESDAY, 12, 0, 'pageview', '/'), ev(X, WEDNESDAY, 12, 3, 'event', '/', order(10))],
    [
      ev(W, WEDNESDAY, 19, 0, 'pageview', '/'),
      ev(W, WEDNESDAY, 19, 1, 'identify', '/', { user_id: 'c-7', props: { tier: 'gold' } }),
      ev(W, WEDNESDAY, 19, 4, 'pageview', '/checkout', { user_id: 'c-7' }),
      ev(W, WEDNESDAY, 19, 6, 'event', '/checkout', { user_id: 'c-7', ...order(30) }),
    ],
  ]
}

/**
 * The corners of the bounce rule (warehouse/sql/sessions.ts, `isBounce`), one visitor each on day D:
 *
 *   visitor  events (minutes after 10:00)                  bounce?
 *   p1       pageview 0                                    yes: one page, nothing done
 *   p2       pageview 0, engagement 1                      yes: engagement is not an interaction
 *   p3       pageview 0, identify 1                        yes: nor is logging in
 *   p4       pageview 0, custom event 1                    no: something done
 *   p5       pageview 0, pageview 1                        no: two pages
 *   p6       identify 0                                    no: no page seen (a visit without a pageview)
 *   p7       engagement 0                                  no: the same
 *
 * 7 visits, 3 bounces: a bounce rate of 3/7.
 */
export function bounceCorners(): EventRow[][] {
  let n = 0
  const ev = (visitor: string, m: number, type: EventRow['type'], over: Partial<EventRow> = {}) => {
    const t = at(0, 10, m)
    return eventRow({
      event_id: `b${String(++n).padStart(3, '0')}`,
      type,
      event_time: t,
      client_time: t,
      received_time: t + 30,
      visitor_id: hex(visitor),
      ...over,
    })
  }
  return [
    [
      ev('1', 0, 'pageview'),
      ev('2', 0, 'pageview'),
      ev('2', 1, 'engagement', { engaged_ms: 30_000 }),
      ev('3', 0, 'pageview'),
      ev('3', 1, 'identify', { user_id: 'u-3' }),
      ev('4', 0, 'pageview'),
      ev('4', 1, 'event', { name: 'signup' }),
      ev('5', 0, 'pageview'),
      ev('5', 1, 'pageview', { path: '/two' }),
      ev('6', 0, 'identify', { user_id: 'u-6' }),
      ev('7', 0, 'engagement', { engaged_ms: 5_000 }),
    ],
  ]
}

/**
 * Weekly returns for the retention table (weeks from Monday 2026-01-12, UTC):
 *
 *   visitor  day            what                       person
 *   a        Mon 01-12      pageview                   user:a (a identified on Tuesday)
 *   a        Tue 01-13      identify user a
 *   b        Wed 01-14      pageview                   visitor:b  (never back)
 *   e        Mon 01-19      pageview, identify user a  user:a (week 1)
 *   f        Wed 01-28      pageview                   visitor:f : not identified, never joined (week 2)
 *
 * By person: cohort 01-12 of 2 (user:a, b), 1 back in week 1, 0 in week 2; cohort 01-26 of 1 (f).
 * By visitor: cohorts 01-12 of 2 (a, b), 01-19 of 1 (e), 01-26 of 1 (f), none back.
 */
export function weeklyReturns(): EventRow[][] {
  let n = 0
  const ev = (visitor: string, day: number, type: EventRow['type'], over: Partial<EventRow> = {}) => {
    const t = at(day, 11)
    return eventRow({
      event_id: `w${String(++n).padStart(3, '0')}`,
      type,
      event_time: t,
      client_time: t,
      received_time: t + 30,
      visitor_id: hex(visitor),
      ...over,
    })
  }
  return [
    [ev('a', 2, 'pageview'), ev('a', 3, 'identify', { user_id: 'a' }), ev('b', 4, 'pageview')],
    [ev('e', 9, 'pageview'), ev('e', 9, 'identify', { user_id: 'a' })],
    [ev('f', 18, 'pageview')],
  ]
}
