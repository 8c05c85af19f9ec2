/**
 * The first chart's pageviews at a time (rollups of closed days, exact times of the open day's parts) equal
 * `series` (warehouse/sql/overview.ts) computed by native DuckDB on the events, for every bucket (week buckets start
 * on DuckDB's Monday origin), with and without bots: on whole-minute ranges over rollups only, and over
 * rollups and parts mixed (duplicates across parts, the copy received first kept) on ranges whose boundaries
 * fall off a minute inside the parts. `inexact` refuses what cannot be exact, and `loadTimeline` then fetches
 * nothing.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BUCKETS, type Bucket } from '../../warehouse/sql/buckets.ts'
import { NativeLake } from '../../warehouse/native.ts'
import { writeEvents } from '../../warehouse/parquet.ts'
import { rollupColumns, writeRollup } from '../../warehouse/rollup.ts'
import type { EventRow } from '../../warehouse/schema.ts'
import type { Range } from '../../warehouse/sql/query.ts'
import { eventRow } from '../../warehouse/testing/rows.ts'
import type { LakeFile } from './api.ts'
import { series } from '../../warehouse/sql/overview.ts'
import {
  addEvents,
  addRollup,
  inexact,
  loadTimeline,
  MAX_PART_ROWS,
  readEvents,
  rollupPageviews,
  rollupSeries,
  type Timeline,
} from './rollups.ts'
import { DAY } from '../../warehouse/time.ts'

const T0 = Date.UTC(2026, 0, 5, 7, 13, 21) // a Monday morning
const OPEN = Date.UTC(2026, 0, 11) // days before: compacted with rollups; from here: parts
const iso = (t: number) => new Date(t).toISOString()
let dir: string

/** 4,000 events over 9 days (Jan 5-14), irregularly spaced, a fifth custom events, one in nine a bot. */
function makeRows(): EventRow[] {
  let t = T0
  return Array.from({ length: 4_000 }, (_, i) => {
    t += ((i * 7919) % 733) * 527
    return eventRow({
      event_id: `e${i}`,
      event_time: t,
      type: i % 5 === 3 ? 'event' : 'pageview',
      is_bot: i % 9 === 0,
      visitor_id: `v${i % 300}`,
    })
  })
}

async function nativeOf(files: ArrayBuffer[]): Promise<NativeLake> {
  const paths = await Promise.all(
    files.map(async (b, i) => {
      const p = join(dir, `${Math.random().toString(36).slice(2)}-${i}.parquet`)
      await writeFile(p, new Uint8Array(b))
      return p
    }),
  )
  const lake = await NativeLake.open()
  await lake.load(paths)
  return lake
}

function rollupRows(rows: EventRow[]) {
  const [minute, isBot, pageviews] = rollupColumns(
    rows.map((r) => r.type),
    rows.map((r) => r.event_time),
    rows.map((r) => r.is_bot),
  )
  return minute.map((m, i) => ({ minute: new Date(m), is_bot: isBot[i], pageviews: pageviews[i] }))
}

async function expectSeries(lake: NativeLake, timeline: Timeline, range: Range) {
  for (const bucket of Object.keys(BUCKETS) as Bucket[]) {
    for (const bots of [false, true]) {
      const native = await lake.run(series({ range, filters: [], bots }, bucket))
      const want = native.map((r) => ({ t: (r.t as Date).toISOString().slice(0, 19).replace('T', ' '), pageviews: r.pageviews }))
      expect(rollupSeries(timeline, range, bucket, bots), `${bucket}, bots ${bots}`).toEqual(want)
      expect(rollupPageviews(timeline, range, bots)).toBe(want.reduce((n, r) => n + (r.pageviews as number), 0))
      expect(rollupPageviews(timeline, range, bots)).toBeGreaterThan(0)
    }
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'footfall-rollup-series-'))
})

describe('rollupSeries over rollups', () => {
  let lake: NativeLake
  const timeline: Timeline = new Map()
  beforeAll(async () => {
    const rows = makeRows()
    lake = await nativeOf([writeEvents(rows)])
    addRollup(timeline, rollupRows(rows))
  })

  const RANGES = {
    'whole days (Tue..Sun)': { from: Date.UTC(2026, 0, 6), to: Date.UTC(2026, 0, 19) - 1 },
    'minutes inside hours': { from: Date.UTC(2026, 0, 7, 3, 17), to: Date.UTC(2026, 0, 9, 22, 41) - 1 },
    everything: { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 1, 1) - 1 },
  }
  for (const [name, range] of Object.entries(RANGES)) {
    it(`equals series on native DuckDB: ${name}, every bucket, with and without bots`, async () => {
      await expectSeries(lake, timeline, range)
    })
  }
})

describe('rollupSeries over rollups and parts', () => {
  let lake: NativeLake
  const timeline: Timeline = new Map()
  let parts: EventRow[][]
  beforeAll(async () => {
    const rows = makeRows()
    const closed = rows.filter((r) => r.event_time < OPEN)
    const open = rows.filter((r) => r.event_time >= OPEN)
    // The open days in parts of 150 events; every fourth part is followed by a redelivery of part of it,
    // received earlier or later, and some copies differ (a copy received first decides: type, bot, time).
    parts = []
    for (let i = 0; i < open.length; i += 150) {
      const part = open.slice(i, i + 150)
      parts.push(part)
      if ((i / 150) % 4 === 0) {
        parts.push(
          part.slice(0, 60).map((r, k) => ({
            ...r,
            received_time: r.received_time + (k % 2 ? 1000 : -1000),
            type: k % 3 === 0 ? (r.type === 'pageview' ? 'event' : 'pageview') : r.type,
            is_bot: k % 5 === 0 ? !r.is_bot : r.is_bot,
            event_time: k % 7 === 0 ? r.event_time + 30_000 : r.event_time,
          })),
        )
      }
    }
    const files = parts.map((p) => writeEvents(p))
    lake = await nativeOf([writeEvents(closed), ...files])
    addRollup(timeline, rollupRows(closed))
    // Decoded as the dashboard does (the direct reader), in an order where some earlier copies come second.
    addEvents(timeline, await Promise.all([...files].reverse().map((f) => readEvents(f))))
  })

  it('decodes the five columns of a part', async () => {
    const e = await readEvents(writeEvents(parts[0]!))
    expect(Array.from(e.event_id)).toEqual(parts[0]!.map((r) => r.event_id))
    expect(Array.from(e.event_time)).toEqual(parts[0]!.map((r) => r.event_time))
    expect(Array.from(e.received_time)).toEqual(parts[0]!.map((r) => r.received_time))
    expect(Array.from(e.type)).toEqual(parts[0]!.map((r) => r.type))
    expect(Array.from(e.is_bot)).toEqual(parts[0]!.map((r) => r.is_bot))
  })

  it('counts each event id once, the copy received first (as the events view)', async () => {
    const [k] = await lake.run({
      sql: `SELECT count(*) FILTER (WHERE type = 'pageview') AS pv, (SELECT count(*) FROM events_raw) AS raw, count(*) AS n FROM events`,
      params: [],
    })
    expect(Number(k!.raw)).toBeGreaterThan(Number(k!.n)) // there are duplicates
    expect(rollupPageviews(timeline, { from: 0, to: Date.UTC(2030, 0) }, true)).toBe(Number(k!.pv))
  })

  const RANGES = {
    'across closed and open days, whole minutes': { from: Date.UTC(2026, 0, 6, 5, 3), to: Date.UTC(2026, 0, 13, 4, 0) - 1 },
    'boundaries off a minute in the open days': { from: OPEN + 3 * 3_600_000 + 12_345, to: Date.UTC(2026, 0, 13, 9, 41, 17, 3) },
    'from on a minute in the closed days, to off a minute in the open ones': {
      from: Date.UTC(2026, 0, 8, 11, 7),
      to: Date.UTC(2026, 0, 12, 2, 2, 2),
    },
  }
  for (const [name, range] of Object.entries(RANGES)) {
    it(`equals series on native DuckDB: ${name}, every bucket, with and without bots`, async () => {
      await expectSeries(lake, timeline, range)
    })
  }
})

describe('inexact', () => {
  const file = (key: string, minTime: number, maxTime: number, rollup: boolean, rows = 100): LakeFile => ({
    key,
    url: `/data/${key}`,
    rows,
    bytes: 1000,
    minTime: iso(minTime),
    maxTime: iso(maxTime),
    rollup: rollup
      ? { key: key.replace(/^events\//, 'rollups/'), url: `/data/${key.replace(/^events\//, 'rollups/')}`, bytes: 100 }
      : undefined,
  })
  const D1 = OPEN - DAY
  const day = file('events/site=demo/date=2026-01-10/00-23-a.parquet', D1 + 61_000, D1 + DAY - 1000, true)
  const part = file(
    'events/site=demo/date=2026-01-11/hour=09/p1.parquet',
    OPEN + 9 * 3_600_000 + 5000,
    OPEN + 9 * 3_600_000 + 900_000,
    false,
  )
  const whole = { from: D1 - 7 * DAY, to: OPEN + DAY - 1 }

  it('accepts rollups and parts of other dates on whole minutes, and boundaries off a minute outside rolled-up minutes', () => {
    expect(inexact([day, part], [whole])).toBeNull()
    expect(inexact([day, part], [{ from: D1 + 12_345, to: OPEN + 9 * 3_600_000 + 7777 }])).toBeNull() // before the file's first minute; in a part
    expect(inexact([day, part], [{ from: D1 + 60_000, to: D1 + DAY - 1 }])).toBeNull()
  })

  it('refuses a boundary off a minute in a minute a rolled-up file covers, for the range or its previous period', () => {
    expect(inexact([day, part], [{ from: D1 + 3_600_000 + 30_000, to: whole.to }])).toMatch(/splits a minute/)
    expect(inexact([day, part], [{ from: whole.from, to: D1 + 2 * 3_600_000 }])).toMatch(/splits a minute/) // to on a minute's first ms
    expect(inexact([day, part], [whole, { from: D1 + 61_500, to: D1 + DAY - 1 }])).toMatch(/splits a minute/) // in the file's first minute
  })

  it('refuses a date with a rolled-up day file and a file without a rollup (a late part may repeat an event)', () => {
    const late = file('events/site=demo/date=2026-01-10/hour=23/late.parquet', D1 + 23 * 3_600_000, D1 + 23 * 3_600_000 + 10, false)
    expect(inexact([day, late, part], [whole])).toMatch(/2026-01-10 has a rolled-up day file and files without a rollup/)
  })

  it(`refuses files without a rollup holding more than ${MAX_PART_ROWS.toLocaleString('en')} rows and a quarter of the range's`, () => {
    const big = (h: number, rows: number) =>
      file(`events/site=demo/date=2026-01-11/hour=${h}/p.parquet`, OPEN + h * 3_600_000, OPEN + h * 3_600_000 + 1, false, rows)
    expect(inexact([day, big(10, MAX_PART_ROWS / 2), big(11, MAX_PART_ROWS / 2)], [whole])).toBeNull()
    expect(inexact([day, big(10, MAX_PART_ROWS / 2), big(11, MAX_PART_ROWS / 2 + 1)], [whole])).toMatch(/hold 500001 of 500101 rows/)
    // More than the bound, but a quarter of the range's rows at most (a large lake's open day): decoded.
    const large = file('events/site=demo/date=2026-01-10/00-23-a.parquet', D1 + 61_000, D1 + DAY - 1000, true, 3 * MAX_PART_ROWS + 3) // 500,001 of 2,000,004 rows: a quarter
    expect(inexact([large, big(10, MAX_PART_ROWS / 2), big(11, MAX_PART_ROWS / 2 + 1)], [whole])).toBeNull()
    const smaller = file('events/site=demo/date=2026-01-10/00-23-a.parquet', D1 + 61_000, D1 + DAY - 1000, true, 3 * MAX_PART_ROWS + 2)
    expect(inexact([smaller, big(10, MAX_PART_ROWS / 2), big(11, MAX_PART_ROWS / 2 + 1)], [whole])).toMatch(
      /more than 500000 and a quarter/,
    )
  })

  it('loadTimeline fetches nothing when inexact, and both kinds of file otherwise', async () => {
    const rows = makeRows()
    const closed = rows.filter((r) => r.event_time >= D1 && r.event_time < OPEN)
    const open = rows.filter((r) => r.event_time >= OPEN && r.event_time < OPEN + DAY)
    const objects = new Map([
      [
        day.rollup!.url,
        writeRollup(
          closed.map((r) => r.type),
          closed.map((r) => r.event_time),
          closed.map((r) => r.is_bot),
        ),
      ],
      [part.url, writeEvents(open)],
    ])
    const asked: string[] = []
    const get = async (url: string) => (asked.push(url), objects.get(url)!)
    expect(await loadTimeline([day, part], [{ from: D1 + 3_600_000 + 1, to: whole.to }], get)).toBeNull()
    expect(asked).toEqual([])
    const timeline = (await loadTimeline([day, part], [whole], get))!
    expect(asked.sort()).toEqual([part.url, day.rollup!.url].sort())
    const pageviews = (rs: EventRow[]) => rs.filter((r) => r.type === 'pageview').length
    expect(rollupPageviews(timeline, whole, true)).toBe(pageviews(closed) + pageviews(open))
    expect(rollupPageviews(timeline, { from: OPEN, to: whole.to }, true)).toBe(pageviews(open))
  })
})

describe('readEvents speed', () => {
  it('decodes 200,000 rows of a part', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) =>
      eventRow({ event_id: `x${i.toString(36)}-${i}`, event_time: OPEN + i * 311, is_bot: i % 11 === 0 }),
    )
    const file = writeEvents(rows)
    const t = performance.now()
    const e = await readEvents(file)
    const timeline: Timeline = new Map()
    addEvents(timeline, [e])
    const ms = performance.now() - t
    console.log(`readEvents + addEvents: 200,000 rows in ${ms.toFixed(0)} ms (${((ms * 1000) / 200_000).toFixed(2)} µs a row)`)
    expect(rollupPageviews(timeline, { from: 0, to: Date.UTC(2030, 0) }, true)).toBe(200_000)
    // Writing the file alone takes seconds on a busy machine: what is printed is the figure, not a limit.
  }, 60_000)
})
