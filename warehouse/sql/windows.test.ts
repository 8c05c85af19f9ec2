// Windows on the shop of warehouse/testing/shop.ts (expected values counted by hand from its table).
import { beforeAll, describe, expect, it } from 'vitest'
import type { Row } from '../native.ts'
import { golden, hhmm } from '../testing/golden.ts'
import { openEngines, writeLake, type Engines } from '../testing/lake.ts'
import { at, DAY_D, shopFiles } from '../testing/shop.ts'
import type { Query } from './query.ts'
import { hopping, sessionWindow, tumbling, windows } from './windows.ts'
import { MINUTE as MIN } from '../time.ts'

let db: Engines
const run = (q: Query) => golden(db, q)
const brief = (rows: Row[], ...dims: string[]) =>
  rows.map((r) => [hhmm(r.window_start), hhmm(r.window_end), ...dims.map((d) => r[d]), r.events, r.pageviews, r.visitors])

beforeAll(async () => {
  db = await openEngines(await writeLake(shopFiles()))
}, 60_000)

describe('windows', () => {
  it('tumbling: one hour', async () => {
    expect(brief(await run(windows(DAY_D, tumbling(60 * MIN))))).toEqual([
      ['09:00', '10:00', 6, 3, 1],
      ['10:00', '11:00', 2, 1, 1],
      ['11:00', '12:00', 5, 3, 2],
      ['12:00', '13:00', 4, 2, 1],
    ])
  })

  it('tumbling, grouped by a dimension', async () => {
    expect(brief(await run(windows(DAY_D, tumbling(60 * MIN), { by: ['device_type'] })), 'device_type')).toEqual([
      ['09:00', '10:00', 'desktop', 6, 3, 1],
      ['10:00', '11:00', 'mobile', 2, 1, 1],
      ['11:00', '12:00', 'desktop', 1, 1, 1],
      ['11:00', '12:00', 'mobile', 4, 2, 1],
      ['12:00', '13:00', 'mobile', 4, 2, 1],
    ])
  })

  it('hopping: 10 minutes sliding every 5', async () => {
    const r = { from: at(0, 11, 50), to: at(0, 12, 5) }
    expect(brief(await run(windows(r, hopping(10 * MIN, 5 * MIN))))).toEqual([
      ['11:45', '11:55', 1, 1, 1],
      ['11:50', '12:00', 1, 1, 1],
      ['11:55', '12:05', 4, 2, 1],
      ['12:00', '12:10', 4, 2, 1],
    ])
  })

  it('hopping: 5 minutes sliding every 10 seconds', async () => {
    const rows = await run(windows({ from: at(0, 11, 50), to: at(0, 11, 55) }, hopping(5 * MIN, 10_000)))
    // u6's one pageview at 11:52:00 is in the 30 windows starting 11:47:10 ... 11:52:00.
    expect(rows).toHaveLength(30)
    expect((rows[0]!.window_start as Date).toISOString()).toBe('2026-01-10T11:47:10.000Z')
    expect((rows[29]!.window_start as Date).toISOString()).toBe('2026-01-10T11:52:00.000Z')
    expect(rows.every((r) => r.events === 1 && r.visitors === 1)).toBe(true)
  })

  it('session windows per visitor, and per dimension value', async () => {
    expect(brief(await run(windows(DAY_D, sessionWindow(30 * MIN))))).toEqual([
      ['09:00', '09:12', 6, 3, 1],
      ['10:00', '10:02', 2, 1, 1],
      ['11:00', '11:31', 4, 2, 1],
      ['11:52', '11:52', 1, 1, 1],
      ['12:00', '12:04', 4, 2, 1],
    ])
    expect(brief(await run(windows(DAY_D, sessionWindow(30 * MIN), { by: ['country'] })), 'country')).toEqual([
      ['09:00', '09:12', 'DE', 6, 3, 1],
      ['10:00', '10:02', 'FR', 2, 1, 1],
      ['11:00', '11:31', 'DE', 4, 2, 1],
      ['11:52', '11:52', 'US', 1, 1, 1],
      ['12:00', '12:04', 'FR', 4, 2, 1],
    ])
  })

  it('refuses a dimension outside the allow-list', () => {
    expect(() => windows(DAY_D, tumbling(MIN), { by: ['path; DROP TABLE events' as never] })).toThrow(/unknown dimension/)
  })
})
