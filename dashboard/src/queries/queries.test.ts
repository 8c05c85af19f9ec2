/** The dashboard's SQL on native DuckDB against a small hand-made table, with hand-computed answers. */
import { beforeAll, describe, expect, it } from 'vitest'
import { NativeLake } from '../../../warehouse/native.ts'
import { createDroppedRaw, droppedByReason } from './dropped.ts'
import type { Scope } from './filters.ts'
import { funnel, orders } from './funnels.ts'
import { breakdown, entryExit, kpis, propBreakdown, series } from './overview.ts'
import { currentVisitors, latestVisitors, liveFeed, topPagesLastHour, visitsLast8h, devicesNow, categoriesLastHour } from './realtime.ts'
import { streamWindows } from './streams.ts'
import { usersBy } from './users.ts'

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0)
const M = 60_000
let lake: NativeLake

// visitor a: 2 visits (/, /p then 40 min later /p + order); b: one bounce on / from google; c: bot
const ROWS: [string, string, string, string | null, number, string, string | null, boolean, string | null][] = [
  ['e1', 'a', 'pageview', null, 0, '/', null, false, null],
  ['e2', 'a', 'pageview', null, 2, '/p', null, false, null],
  ['e3', 'a', 'pageview', null, 42, '/p', null, false, null],
  ['e4', 'a', 'event', 'order', 43, '/p', null, false, '{"plan":"pro"}'],
  ['e5', 'b', 'pageview', null, 10, '/', 'google.com', false, null],
  ['e6', 'c', 'pageview', null, 11, '/', null, true, null],
  ['e7', 'a', 'identify', null, 44, '/p', null, false, '{"age":40,"tier":"gold"}'],
]

beforeAll(async () => {
  lake = await NativeLake.open()
  await lake.conn.run(createDroppedRaw)
  for (const [id, v, type, name, min, path, ref, bot, props] of ROWS) {
    await lake.conn.run(
      `INSERT INTO events_raw (event_id, site, type, name, event_time, client_time, received_time, visitor_id, user_id, url, path, referrer_host, is_bot, props, country, revenue)
       VALUES ($1, 'demo', $2, $3, make_timestamp($4::BIGINT * 1000), make_timestamp($4::BIGINT * 1000), make_timestamp($4::BIGINT * 1000), $5, $6, 'http://x' || $7, $7, $8, $9, $10, 'NZ', $11)`,
      [id, type, name, T0 + min * M, v, type === 'identify' ? 'u1' : null, path, ref, bot, props, name === 'order' ? 9.5 : null] as never,
    )
  }
  await lake.conn.run(`INSERT INTO dropped_raw VALUES (make_timestamp(${T0} * 1000), 'demo', 'invalid', 'url', 'bad', 3)`)
})

const scope: Scope = { range: { from: T0, to: T0 + 60 * M }, filters: [], bots: false }

describe('dashboard SQL', () => {
  it('KPIs from visits', async () => {
    expect(await lake.run(kpis(scope))).toEqual([
      { visitors: 2, visits: 3, pageviews: 4, events: 1, views_per_visit: 1.33, bounce_rate: 66.7, visit_duration: (120 + 0 + 120) / 3 },
    ])
    const withBots = await lake.run(kpis({ ...scope, bots: true }))
    expect(withBots[0]).toMatchObject({ visitors: 3, visits: 4, pageviews: 5 })
  })

  it('filters are parameters: is, is not, contains', async () => {
    expect((await lake.run(kpis({ ...scope, filters: [{ dim: 'source', op: 'is', value: 'google.com' }] })))[0]).toMatchObject({ visitors: 1, pageviews: 1 })
    expect((await lake.run(kpis({ ...scope, filters: [{ dim: 'source', op: 'is_not', value: 'google.com' }] })))[0]).toMatchObject({ visitors: 1, pageviews: 3 })
    expect((await lake.run(kpis({ ...scope, filters: [{ dim: 'page', op: 'contains', value: "p' OR 1=1 --" }] })))[0]).toMatchObject({ pageviews: 0 })
  })

  it('breakdowns, entry and exit pages, series, props', async () => {
    expect(await lake.run(breakdown(scope, 'page'))).toEqual([
      { value: '/', visitors: 2, pageviews: 2 },
      { value: '/p', visitors: 1, pageviews: 2 },
    ])
    expect(await lake.run(breakdown(scope, 'event'))).toEqual([{ value: 'order', visitors: 1, events: 1 }])
    expect(await lake.run(breakdown(scope, 'source'))).toEqual([
      { value: '(none)', visitors: 1, pageviews: 3 },
      { value: 'google.com', visitors: 1, pageviews: 1 },
    ])
    expect(await lake.run(entryExit(scope, 'entry'))).toEqual([
      { value: '/', visits: 2, bounce_rate: 50 },
      { value: '/p', visits: 1, bounce_rate: 100 },
    ])
    expect((await lake.run(entryExit(scope, 'exit')))[0]).toEqual({ value: '/p', visits: 2, bounce_rate: 50 })
    const s = await lake.run(series(scope, 'hour'))
    expect(s.map((r) => r.pageviews)).toEqual([4, 0]) // the range's end (11:00) opens a second, empty bucket
    expect(await lake.run(propBreakdown(scope, 'plan'))).toEqual([{ value: 'pro', events: 1, visitors: 1 }])
  })

  it('funnel and orders', async () => {
    expect(await lake.run(funnel(scope, [{ kind: 'page', value: '/' }, { kind: 'page', value: '/p' }, { kind: 'event', value: 'order' }]))).toEqual([
      { step: 1, label: 'page /', visitors: 2, conversion: 100, drop_off: null },
      { step: 2, label: 'page /p', visitors: 1, conversion: 50, drop_off: 50 },
      { step: 3, label: 'event order', visitors: 1, conversion: 50, drop_off: 0 },
    ])
    expect(await lake.run(orders(scope))).toEqual([{ orders: 1, buyers: 1, revenue: 9.5, median_visits_before: 2, median_minutes_to_order: 43 }])
  })

  it('streams: tumbling, hopping, session windows', async () => {
    const tumbling = await lake.run(streamWindows(scope, { kind: 'tumbling', dim: 'url', size: 1800, slide: 10 }))
    expect(tumbling.map((r) => [r.key, r.events])).toEqual([['/p', 3], ['/', 2], ['/p', 1]])
    const hopping = await lake.run(streamWindows(scope, { kind: 'hopping', dim: 'country', size: 600, slide: 300 }))
    // each event is in 2 windows of 10 minutes sliding by 5
    expect(hopping.reduce((n, r) => n + (r.events as number), 0)).toBe(12)
    const sessions = await lake.run(streamWindows(scope, { kind: 'session', dim: 'visitor', size: 1800, slide: 0 }))
    expect(sessions.map((r) => [r.key, r.events])).toEqual([['a', 3], ['b', 1], ['a', 2]])
  })

  it('users, realtime, drop ledger', async () => {
    expect(await lake.run(usersBy(scope, 'trait:tier'))).toEqual([{ value: 'gold', users: 1, avg_trait: 40, events: 5 }])
    expect(await lake.run(usersBy(scope, 'country'))).toEqual([{ value: 'NZ', users: 1, avg_trait: 40, events: 5 }])
    const now = T0 + 45 * M
    expect(await lake.run(currentVisitors(now, false))).toEqual([{ now_5m: 1, last_15m: 1 }])
    expect((await lake.run(visitsLast8h(now, false))).reduce((n, r) => n + (r.visits as number), 0)).toBe(3)
    expect(await lake.run(topPagesLastHour(now, false))).toHaveLength(2)
    expect(await lake.run(devicesNow(now, false))).toEqual([{ device: '(none)', visitors: 1 }])
    expect(await lake.run(categoriesLastHour(now, false))).toEqual([])
    expect((await lake.run(latestVisitors(now, false)))[0]).toMatchObject({ page: '/p', country: 'NZ' })
    expect(await lake.run(liveFeed(now, false))).toHaveLength(6)
    expect(await lake.run(droppedByReason(scope.range))).toEqual([{ reason: 'invalid', field: 'url', requests: 1, events: 3 }])
  })
})
