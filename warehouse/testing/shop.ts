/**
 * A small shop with known answers: the dataset of the SQL library's golden tests (warehouse/sql/*.test.ts).
 * Day D = 2026-01-10 (UTC); D-1 is the previous period. Every metric asserted in the tests is computed by
 * hand from the table below; keep the two in step.
 *
 *   visitor  day  time   type        path / name         notes
 *   u1       D    09:00  pageview    /                   DE desktop Chrome Windows, channel search (google.com)
 *   u1       D    09:01  identify                        user carol {"age":50}
 *   u1       D    09:05  pageview    /shoes
 *   u1       D    09:06  event       add_to_cart         {"size":"42"}, category shoes
 *   u1       D    09:10  pageview    /cart
 *   u1       D    09:12  event       purchase            revenue 100 {"revenue":100,"currency":"EUR"}
 *   u2       D    10:00  pageview    /                   FR mobile Safari iOS, channel social (facebook.com, utm fb/social/spring)
 *   u2       D    10:02  engagement  /                   (a bounce: engagement is not an interaction)
 *   u2       D    12:00  pageview    /shoes              category shoes
 *   u2       D    12:01  identify                        user alice {"age":30,"plan":"pro"}
 *   u2       D    12:03  pageview    /cart
 *   u2       D    12:04  event       purchase            revenue 50 {"revenue":50,"currency":"EUR","coupon":"SPRING"}
 *   u3       D-1  08:00  identify                        user bob {"age":35}
 *   u3       D    11:00  pageview    /shoes              DE mobile Chrome Android, direct
 *   u3       D    11:05  identify                        user bob {"age":40}
 *   u3       D    11:30  pageview    /                   (exactly 30:00 later: same session)
 *   u3       D    11:31  engagement  /
 *   u6       D    11:52  pageview    /socks              US desktop Firefox Linux, direct, category socks
 *   bot      D    10:00  pageview    /                   is_bot (left out by default)
 *   u5       D-1  15:00  pageview    /                   GB desktop, direct
 *   u5       D-1  15:10  pageview    /shoes
 */
import type { EventRow } from '../schema.ts'
import { eventRow } from './rows.ts'

export const at = (day: number, h: number, m = 0, s = 0) => Date.UTC(2026, 0, 10 + day, h, m, s)
/** Day D, the range of the tests. */
export const DAY_D = { from: at(0, 0), to: at(1, 0) - 1 }

type Who = Partial<EventRow>
const U1: Who = {
  visitor_id: 'u1',
  country: 'DE',
  device_type: 'desktop',
  browser: 'Chrome',
  os: 'Windows',
  channel: 'search',
  referrer_host: 'google.com',
}
const U2: Who = {
  visitor_id: 'u2',
  country: 'FR',
  device_type: 'mobile',
  browser: 'Safari',
  os: 'iOS',
  channel: 'social',
  referrer_host: 'facebook.com',
  utm_source: 'fb',
  utm_medium: 'social',
  utm_campaign: 'spring',
}
const U3: Who = { visitor_id: 'u3', country: 'DE', device_type: 'mobile', browser: 'Chrome', os: 'Android', channel: 'direct' }
const U5: Who = { visitor_id: 'u5', country: 'GB', device_type: 'desktop', browser: 'Chrome', os: 'Windows', channel: 'direct' }
const U6: Who = { visitor_id: 'u6', country: 'US', device_type: 'desktop', browser: 'Firefox', os: 'Linux', channel: 'direct' }
const BOT: Who = {
  visitor_id: 'bot',
  country: 'US',
  device_type: 'desktop',
  browser: 'HeadlessChrome',
  is_bot: true,
  bot_reason: 'headless',
  channel: 'direct',
}

let n = 0
function ev(who: Who, t: number, type: EventRow['type'], path: string | null, over: Partial<EventRow> = {}): EventRow {
  return eventRow({
    event_id: `e${String(++n).padStart(3, '0')}`,
    type,
    event_time: t,
    client_time: t,
    received_time: t + 80,
    path,
    url: `https://shop.example${path ?? '/'}`,
    ...who,
    ...over,
  })
}

/** The shop's events as three part files: D-1, D before noon, D from noon (two partitions of D). */
export function shopFiles(): EventRow[][] {
  n = 0
  const prev = [
    ev(U3, at(-1, 8), 'identify', '/', { user_id: 'bob', props: { age: 35 } }),
    ev(U5, at(-1, 15), 'pageview', '/'),
    ev(U5, at(-1, 15, 10), 'pageview', '/shoes'),
  ]
  const morning = [
    ev(U1, at(0, 9), 'pageview', '/'),
    ev(U1, at(0, 9, 1), 'identify', '/', { user_id: 'carol', props: { age: 50 } }),
    ev(U1, at(0, 9, 5), 'pageview', '/shoes'),
    ev(U1, at(0, 9, 6), 'event', '/shoes', { name: 'add_to_cart', props: { size: '42' }, category: 'shoes', product_id: 'p1' }),
    ev(U1, at(0, 9, 10), 'pageview', '/cart'),
    ev(U1, at(0, 9, 12), 'event', '/cart', { name: 'purchase', props: { revenue: 100, currency: 'EUR' }, revenue: 100, currency: 'EUR' }),
    ev(U2, at(0, 10), 'pageview', '/'),
    ev(U2, at(0, 10, 2), 'engagement', '/', { engaged_ms: 120_000 }),
    ev(BOT, at(0, 10), 'pageview', '/'),
    ev(U3, at(0, 11), 'pageview', '/shoes'),
    ev(U3, at(0, 11, 5), 'identify', '/shoes', { user_id: 'bob', props: { age: 40 } }),
    ev(U3, at(0, 11, 30), 'pageview', '/'),
    ev(U3, at(0, 11, 31), 'engagement', '/'),
    ev(U6, at(0, 11, 52), 'pageview', '/socks', { category: 'socks', product_id: 'p2' }),
  ]
  const noon = [
    ev(U2, at(0, 12), 'pageview', '/shoes', { category: 'shoes' }),
    ev(U2, at(0, 12, 1), 'identify', '/shoes', { user_id: 'alice', props: { age: 30, plan: 'pro' } }),
    ev(U2, at(0, 12, 3), 'pageview', '/cart'),
    ev(U2, at(0, 12, 4), 'event', '/cart', {
      name: 'purchase',
      props: { revenue: 50, currency: 'EUR', coupon: 'SPRING' },
      revenue: 50,
      currency: 'EUR',
    }),
  ]
  return [prev, morning, noon]
}
