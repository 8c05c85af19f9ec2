/**
 * The time series from pageview rollups equals `series` (queries/overview.ts) computed by native DuckDB on
 * the events, for every bucket (week buckets start on DuckDB's Monday origin), with and without bots, on
 * ranges of whole minutes that do not start on a bucket.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BUCKETS, type Bucket } from '../../warehouse/sql/buckets.ts'
import { NativeLake } from '../../warehouse/native.ts'
import { writeEvents } from '../../warehouse/parquet.ts'
import { rollupColumns } from '../../warehouse/rollup.ts'
import { eventRow } from '../../warehouse/testing/rows.ts'
import { series } from './queries/overview.ts'
import { addRollup, rollupPageviews, rollupSeries, wholeMinutes, type Minutes } from './rollups.ts'

const T0 = Date.UTC(2026, 0, 5, 7, 13, 21) // a Monday morning
const DAY = 86_400_000
let lake: NativeLake
const minutes: Minutes = new Map()

beforeAll(async () => {
  // 4,000 events over 17 days, irregularly spaced, a fifth custom events, one in nine a bot.
  let t = T0
  const rows = Array.from({ length: 4_000 }, (_, i) => {
    t += ((i * 7919) % 733) * 527
    return eventRow({ event_id: `e${i}`, event_time: t, type: i % 5 === 3 ? 'event' : 'pageview', is_bot: i % 9 === 0, visitor_id: `v${i % 300}` })
  })
  const dir = await mkdtemp(join(tmpdir(), 'footfall-rollup-series-'))
  await writeFile(join(dir, 'e.parquet'), new Uint8Array(writeEvents(rows)))
  lake = await NativeLake.open()
  await lake.load([join(dir, 'e.parquet')])
  const [minute, isBot, pageviews] = rollupColumns(rows.map((r) => r.type), rows.map((r) => r.event_time), rows.map((r) => r.is_bot))
  addRollup(minutes, minute.map((m, i) => ({ minute: new Date(m), is_bot: isBot[i], pageviews: pageviews[i] })))
})

const RANGES = {
  'whole days (Tue..Sun)': { from: Date.UTC(2026, 0, 6), to: Date.UTC(2026, 0, 19) - 1 },
  'minutes inside hours': { from: Date.UTC(2026, 0, 7, 3, 17), to: Date.UTC(2026, 0, 9, 22, 41) - 1 },
  'everything': { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 1, 1) - 1 },
}

describe('rollupSeries', () => {
  for (const [name, range] of Object.entries(RANGES)) {
    for (const bucket of Object.keys(BUCKETS) as Bucket[]) {
      for (const bots of [false, true]) {
        it(`equals series on native DuckDB: ${name}, by ${bucket}, bots ${bots}`, async () => {
          expect(wholeMinutes(range)).toBe(true)
          const native = await lake.run(series({ range, filters: [], bots }, bucket))
          const want = native.map((r) => ({ t: (r.t as Date).toISOString().slice(0, 19).replace('T', ' '), pageviews: r.pageviews }))
          const got = rollupSeries(minutes, range, bucket, bots)
          expect(got).toEqual(want)
          expect(rollupPageviews(minutes, range, bots)).toBe(want.reduce((n, r) => n + (r.pageviews as number), 0))
          expect(rollupPageviews(minutes, range, bots)).toBeGreaterThan(0)
        })
      }
    }
  }

  it('refuses ranges that do not start and end on a minute boundary', () => {
    expect(wholeMinutes({ from: T0, to: T0 + DAY })).toBe(false)
    expect(wholeMinutes({ from: Date.UTC(2026, 0, 6), to: Date.UTC(2026, 0, 7) })).toBe(false)
    expect(wholeMinutes({ from: Date.UTC(2026, 0, 6), to: Date.UTC(2026, 0, 7) - 1 })).toBe(true)
  })
})
