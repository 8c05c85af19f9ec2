// Realtime panels on the shop of warehouse/testing/shop.ts at now = D 12:05 (counted by hand).
import { beforeAll, describe, expect, it } from 'vitest'
import { golden, hhmm } from '../testing/golden.ts'
import { openEngines, writeLake, type Engines } from '../testing/lake.ts'
import { at, shopFiles } from '../testing/shop.ts'
import type { Query } from './query.ts'
import { categoriesLastHour, devicesNow, latestVisitors, liveVisitors, sessionsLast8h, topPagesLastHour } from './realtime.ts'

const now = at(0, 12, 5)
let db: Engines
const run = (q: Query) => golden(db, q)

beforeAll(async () => {
  db = await openEngines(await writeLake(shopFiles()))
}, 60_000)

describe('realtime', () => {
  it('visitors in the last 5 and 15 minutes', async () => {
    expect(await run(liveVisitors(now))).toEqual([{ visitors_5m: 1, visitors_15m: 2 }])
  })

  it('sessions of the last 8 hours in 30-minute buckets', async () => {
    const rows = await run(sessionsLast8h(now))
    expect(rows).toHaveLength(16)
    expect(hhmm(rows[0]!.t)).toBe('04:30')
    expect(rows.filter((r) => r.sessions).map((r) => [hhmm(r.t), r.sessions])).toEqual([
      ['09:00', 1],
      ['10:00', 1],
      ['11:00', 1],
      ['11:30', 1],
      ['12:00', 1],
    ])
  })

  it('devices right now', async () => {
    expect(await run(devicesNow(now))).toEqual([{ device_type: 'mobile', visitors: 1 }])
  })

  it('top pages of the last hour', async () => {
    expect(await run(topPagesLastHour(now))).toEqual([
      { path: '/', pageviews: 1, visitors: 1 },
      { path: '/cart', pageviews: 1, visitors: 1 },
      { path: '/shoes', pageviews: 1, visitors: 1 },
      { path: '/socks', pageviews: 1, visitors: 1 },
    ])
  })

  it('latest visitors', async () => {
    const rows = await run(latestVisitors(now))
    expect(rows.map((r) => [r.visitor, hhmm(r.last_seen), r.path, r.country, r.device_type, r.browser])).toEqual([
      ['u2', '12:04', '/cart', 'FR', 'mobile', 'Safari'],
      ['u6', '11:52', '/socks', 'US', 'desktop', 'Firefox'],
      ['u3', '11:31', '/', 'DE', 'mobile', 'Chrome'],
    ])
  })

  it('category popularity in the last hour', async () => {
    expect(await run(categoriesLastHour(now))).toEqual([
      { category: 'shoes', events: 1, visitors: 1 },
      { category: 'socks', events: 1, visitors: 1 },
    ])
  })
})
