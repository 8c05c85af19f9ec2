// Golden tests of every metric of the SQL library on the small shop of warehouse/testing/shop.ts, whose
// table lists each event: the expected values below are counted by hand from it. Each query runs on native
// DuckDB (read_parquet over the files) and on DuckDB-WASM (the dashboard's hyparquet -> Arrow load), and
// both must give the same rows.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Row } from '../native.ts'
import { openEngines, writeLake, type Engines } from '../testing/lake.ts'
import { DAY_D, shopFiles } from '../testing/shop.ts'
import { breakdown, customEvents, eventProps, propKeys, sessionBreakdown, topPages } from './breakdowns.ts'
import { funnel } from './funnels.ts'
import { kpis } from './kpis.ts'
import { orders } from './orders.ts'
import type { Query } from './query.ts'

let db: Engines
async function golden(q: Query): Promise<Row[]> {
  const { native, wasm } = await db.run(q)
  expect(wasm).toEqual(native)
  return native
}

beforeAll(async () => {
  db = await openEngines(await writeLake(shopFiles()))
}, 60_000)

describe('KPIs', () => {
  it('gives visitors, visits, pageviews, views per visit, bounce rate, duration, and the previous period', async () => {
    expect(await golden(kpis(DAY_D))).toEqual([
      {
        visitors: 4,
        visits: 5,
        pageviews: 9,
        views_per_visit: 1.8,
        bounce_rate: 0.4,
        visit_duration_ms: 588_000,
        prev_visitors: 2,
        prev_visits: 2,
        prev_pageviews: 2,
        prev_views_per_visit: 1,
        prev_bounce_rate: 0,
        prev_visit_duration_ms: 300_000,
      },
    ])
  })

  it('counts bots only when asked', async () => {
    const [row] = await golden(kpis(DAY_D, { bots: true }))
    expect([row!.visitors, row!.visits, row!.pageviews]).toEqual([5, 6, 10])
  })

  it('applies filters: is, is not, contains', async () => {
    const pick = (r: Row[]) => [r[0]!.visitors, r[0]!.visits, r[0]!.pageviews]
    expect(pick(await golden(kpis(DAY_D, { filters: [{ dim: 'country', op: 'is', value: 'DE' }] })))).toEqual([2, 2, 5])
    expect(pick(await golden(kpis(DAY_D, { filters: [{ dim: 'country', op: 'is_not', value: 'DE' }] })))).toEqual([2, 3, 4])
    expect(pick(await golden(kpis(DAY_D, { filters: [{ dim: 'country', op: 'is', value: ['DE', 'US'] }] })))).toEqual([3, 3, 6])
    const shoes = await golden(topPages(DAY_D, { filters: [{ dim: 'path', op: 'contains', value: 'SHO' }] }))
    expect(shoes).toEqual([{ value: '/shoes', visitors: 3, pageviews: 3, events: 3 }])
    const wild = await golden(topPages(DAY_D, { filters: [{ dim: 'path', op: 'contains', value: '%' }] }))
    expect(wild).toEqual([])
  })
})

describe('breakdowns', () => {
  it('top pages', async () => {
    expect(await golden(topPages(DAY_D))).toEqual([
      { value: '/', visitors: 3, pageviews: 3, events: 3 },
      { value: '/shoes', visitors: 3, pageviews: 3, events: 3 },
      { value: '/cart', visitors: 2, pageviews: 2, events: 2 },
      { value: '/socks', visitors: 1, pageviews: 1, events: 1 },
    ])
  })

  it('entry and exit pages', async () => {
    expect(await golden(sessionBreakdown(DAY_D, 'entry_page'))).toEqual([
      { value: '/', visitors: 2, visits: 2, bounce_rate: 0.5, visit_duration_ms: 420_000 },
      { value: '/shoes', visitors: 2, visits: 2, bounce_rate: 0, visit_duration_ms: 1_050_000 },
      { value: '/socks', visitors: 1, visits: 1, bounce_rate: 1, visit_duration_ms: 0 },
    ])
    expect(await golden(sessionBreakdown(DAY_D, 'exit_page'))).toEqual([
      { value: '/', visitors: 2, visits: 2, bounce_rate: 0.5, visit_duration_ms: 990_000 },
      { value: '/cart', visitors: 2, visits: 2, bounce_rate: 0, visit_duration_ms: 480_000 },
      { value: '/socks', visitors: 1, visits: 1, bounce_rate: 1, visit_duration_ms: 0 },
    ])
  })

  it('sources: channels, referrers and UTM as the session began', async () => {
    const brief = (rows: Row[]) => rows.map((r) => [r.value, r.visitors, r.visits])
    expect(brief(await golden(sessionBreakdown(DAY_D, 'channel')))).toEqual([
      ['direct', 2, 2],
      ['social', 1, 2],
      ['search', 1, 1],
    ])
    expect(brief(await golden(sessionBreakdown(DAY_D, 'referrer_host')))).toEqual([
      [null, 2, 2],
      ['facebook.com', 1, 2],
      ['google.com', 1, 1],
    ])
    expect(brief(await golden(sessionBreakdown(DAY_D, 'utm_campaign')))).toEqual([
      [null, 3, 3],
      ['spring', 1, 2],
    ])
  })

  it('countries, devices, browsers, OS', async () => {
    const brief = (rows: Row[]) => rows.map((r) => [r.value, r.visitors, r.pageviews, r.events])
    expect(brief(await golden(breakdown(DAY_D, 'country')))).toEqual([
      ['DE', 2, 5, 10],
      ['FR', 1, 3, 6],
      ['US', 1, 1, 1],
    ])
    expect(brief(await golden(breakdown(DAY_D, 'device_type')))).toEqual([
      ['mobile', 2, 5, 10],
      ['desktop', 2, 4, 7],
    ])
    expect(brief(await golden(breakdown(DAY_D, 'browser')))).toEqual([
      ['Chrome', 2, 5, 10],
      ['Safari', 1, 3, 6],
      ['Firefox', 1, 1, 1],
    ])
    expect(brief(await golden(breakdown(DAY_D, 'os')))).toEqual([
      ['Windows', 1, 3, 6],
      ['iOS', 1, 3, 6],
      ['Android', 1, 2, 4],
      ['Linux', 1, 1, 1],
    ])
  })

  it('custom events and their properties', async () => {
    expect(await golden(customEvents(DAY_D))).toEqual([
      { name: 'purchase', events: 2, visitors: 2 },
      { name: 'add_to_cart', events: 1, visitors: 1 },
    ])
    expect(await golden(eventProps(DAY_D, 'add_to_cart', 'size'))).toEqual([{ value: '42', events: 1, visitors: 1 }])
    expect(await golden(eventProps(DAY_D, 'purchase', 'revenue'))).toEqual([
      { value: '100', events: 1, visitors: 1 },
      { value: '50', events: 1, visitors: 1 },
    ])
    expect(await golden(propKeys(DAY_D, 'purchase'))).toEqual([
      { key: 'currency', events: 2 },
      { key: 'revenue', events: 2 },
      { key: 'coupon', events: 1 },
    ])
    // A property used as a dimension of any breakdown.
    expect(await golden(breakdown(DAY_D, 'prop:currency', { type: 'event' }))).toEqual([
      { value: 'EUR', visitors: 2, pageviews: 0, events: 2 },
      { value: null, visitors: 1, pageviews: 0, events: 1 },
    ])
  })
})

describe('funnels', () => {
  const steps = [
    { label: 'shoes', where: [{ dim: 'path', op: 'is', value: '/shoes' }] },
    { label: 'cart', where: [{ dim: 'path', op: 'is', value: '/cart' }] },
    { label: 'bought', where: [{ dim: 'name', op: 'is', value: 'purchase' }] },
  ] as const

  it('ordered steps within a session', async () => {
    expect(await golden(funnel(DAY_D, steps, { within: 'session' }))).toEqual([
      { step: 1, label: 'shoes', entrants: 3, rate: 1, rate_from_previous: 1 },
      { step: 2, label: 'cart', entrants: 2, rate: 2 / 3, rate_from_previous: 2 / 3 },
      { step: 3, label: 'bought', entrants: 2, rate: 2 / 3, rate_from_previous: 1 },
    ])
  })

  it('ordered steps within N minutes of the first step', async () => {
    expect(await golden(funnel(DAY_D, steps, { within: { minutes: 5 } }))).toEqual([
      { step: 1, label: 'shoes', entrants: 3, rate: 1, rate_from_previous: 1 },
      { step: 2, label: 'cart', entrants: 2, rate: 2 / 3, rate_from_previous: 2 / 3 },
      { step: 3, label: 'bought', entrants: 1, rate: 1 / 3, rate_from_previous: 1 / 2 },
    ])
  })

  it('respects order: cart before shoes does not count', async () => {
    const reversed = [steps[1], steps[0]]
    expect((await golden(funnel(DAY_D, reversed, { within: 'session' }))).map((r) => r.entrants)).toEqual([2, 0])
  })
})

describe('orders', () => {
  it('median sessions and prior time before the first order, conversion rate', async () => {
    expect(await golden(orders(DAY_D, { orderEvent: 'purchase' }))).toEqual([
      {
        orders: 2,
        buyers: 2,
        visitors: 4,
        people: 4,
        conversion_rate: 0.5,
        revenue: 150,
        median_sessions_before_first_order: 0.5,
        median_prior_time_ms: 60_000,
        // u1: 09:00 -> 09:12, u2: 10:00 -> 12:04.
        median_time_to_first_order_ms: (720_000 + 7_440_000) / 2,
      },
    ])
  })

  it('takes the order event name as a parameter', async () => {
    const q = orders(DAY_D, { orderEvent: 'add_to_cart' })
    expect(q.params).toContain('add_to_cart')
    expect(q.sql).not.toContain('add_to_cart')
    const [row] = await golden(q)
    expect([row!.orders, row!.buyers, row!.median_sessions_before_first_order]).toEqual([1, 1, 0])
  })
})
