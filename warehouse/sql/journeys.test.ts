// Customer journeys across days (warehouse/testing/journeys.ts, `customerJourneys`: its table gives every
// answer below, counted by hand): identity stitching joins a customer's visits of Monday and Wednesday, so
// the sessions before the first order, the time in them and the time until the order are those of the
// person, on native DuckDB and on DuckDB-WASM; anonymous visitors stay themselves.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { golden } from '../testing/golden.ts'
import { customerJourneys, hex, MONDAY, WEDNESDAY } from '../testing/journeys.ts'
import { openEngines, writeLake, type Engines } from '../testing/lake.ts'
import { at } from '../testing/shop.ts'
import { eventsCte } from './events.ts'
import { firstOrders, orders } from './orders.ts'
import { personsCte } from './persons.ts'
import { sql } from './query.ts'
import { sessionWindow, windows } from './windows.ts'

const day = (d: number) => ({ from: at(d, 0), to: at(d + 1, 0) - 1 })
const WEEK = { from: at(MONDAY, 0), to: at(WEDNESDAY + 1, 0) - 1 }

// Two engines per query, on a machine that may be busy.
vi.setConfig({ testTimeout: 60_000 })

let db: Engines
beforeAll(async () => {
  db = await openEngines(await writeLake(customerJourneys()))
}, 60_000)

describe('identity stitching', () => {
  it('gives each visitor key its person: the user id it was seen with, else itself', async () => {
    const q = sql`WITH RECURSIVE ${eventsCte(WEEK)}, ${personsCte()} SELECT vk, person FROM visitor_person ORDER BY vk`
    expect(await golden(db, q)).toEqual([
      { vk: hex('a'), person: 'user:c-7' },
      { vk: hex('b'), person: 'user:c-7' },
      { vk: hex('c'), person: `visitor:${hex('c')}` },
      { vk: hex('d'), person: `visitor:${hex('d')}` },
    ])
  })
})

describe('journeys to the first order', () => {
  it('Monday login, Wednesday morning browsing and the evening order: 2 sessions before, both times right', async () => {
    expect(await golden(db, firstOrders(day(WEDNESDAY)))).toEqual([
      { person: `visitor:${hex('c')}`, first_order: new Date(at(WEDNESDAY, 12, 3)), sessions_before: 0, prior_ms: 0, until_ms: 180_000 },
      { person: 'user:c-7', first_order: new Date(at(WEDNESDAY, 19, 6)), sessions_before: 2, prior_ms: 900_000, until_ms: 205_560_000 },
    ])
  })

  it('orders(): medians over the buyers, people and conversion, the order event named order by default', async () => {
    expect(await golden(db, orders(day(WEDNESDAY)))).toEqual([
      {
        orders: 2,
        buyers: 2,
        visitors: 3,
        people: 3,
        conversion_rate: 2 / 3,
        revenue: 40,
        median_sessions_before_first_order: 1,
        median_prior_time_ms: 450_000,
        median_time_to_first_order_ms: (205_560_000 + 180_000) / 2,
      },
    ])
    // Monday: c-7 visited, bought nothing.
    const [mon] = await golden(db, orders(day(MONDAY)))
    expect([mon!.orders, mon!.visitors, mon!.people, mon!.median_sessions_before_first_order]).toEqual([0, 1, 1, null])
  })
})

describe('streams by user', () => {
  it('a session window per person joins the customer across visitor ids and days; per visitor it does not', async () => {
    const threeDays = sessionWindow(3 * 86_400_000)
    const brief = (rows: Record<string, unknown>[]) =>
      rows.map((r) => [
        (r.window_start as Date).toISOString(),
        (r.window_end as Date).toISOString(),
        r.pageviews,
        r.events,
        r.visitors,
        r.people,
      ])
    expect(brief(await golden(db, windows(WEEK, threeDays, { per: 'user' })))).toEqual([
      ['2026-01-12T10:00:00.000Z', '2026-01-14T19:06:00.000Z', 6, 9, 2, 1],
      ['2026-01-14T09:30:00.000Z', '2026-01-14T09:30:00.000Z', 1, 1, 1, 1],
      ['2026-01-14T12:00:00.000Z', '2026-01-14T12:03:00.000Z', 1, 2, 1, 1],
    ])
    expect((await golden(db, windows(WEEK, threeDays))).map((r) => [r.pageviews, r.visitors])).toEqual([
      [2, 1],
      [4, 1],
      [1, 1],
      [1, 1],
    ])
  })
})
