import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { NativeLake } from '../native.ts'
import { writeEvents } from '../parquet.ts'
import { eventRow } from '../testing/rows.ts'
import { bucketFor, pageviewsOverTime, topPages, totals } from './overview.ts'

const at = (h: number, m = 0) => Date.UTC(2026, 0, 10, h, m)
const range = { from: at(9), to: at(12) - 1 }
let lake: NativeLake

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'footfall-sql-'))
  const rows = [
    eventRow({ event_id: 'p1', path: '/', visitor_id: 'a', event_time: at(9, 5) }),
    eventRow({ event_id: 'p2', path: '/shoes', visitor_id: 'a', event_time: at(9, 10) }),
    eventRow({ event_id: 'p3', path: '/shoes', visitor_id: 'b', event_time: at(11, 59) }),
    eventRow({ event_id: 'e1', type: 'event', name: 'add_to_cart', path: '/shoes', visitor_id: 'b', event_time: at(11, 59) }),
    eventRow({ event_id: 'p4', path: '/', visitor_id: 'c', event_time: at(12, 0) }), // outside the range
  ]
  // p2 arrives twice, in two part files (a redelivered queue batch regrouped): it counts once.
  await writeFile(join(dir, 'a.parquet'), new Uint8Array(writeEvents(rows)))
  await writeFile(join(dir, 'b.parquet'), new Uint8Array(writeEvents([rows[1]!])))
  lake = await NativeLake.open()
  await lake.load([join(dir, 'a.parquet'), join(dir, 'b.parquet')])
})

describe('overview SQL', () => {
  it('counts pageviews, visitors and events in the range, each event id once', async () => {
    expect(await lake.run(totals(range))).toEqual([{ pageviews: 3, visitors: 2, events: 1 }])
  })

  it('gives a dense series: one row per bucket, zeros included', async () => {
    const rows = await lake.run(pageviewsOverTime(range, 'hour'))
    expect(rows.map((r) => [(r.t as Date).toISOString(), r.pageviews, r.visitors])).toEqual([
      ['2026-01-10T09:00:00.000Z', 2, 1],
      ['2026-01-10T10:00:00.000Z', 0, 0],
      ['2026-01-10T11:00:00.000Z', 1, 1],
    ])
  })

  it('ranks top pages by pageviews, then path', async () => {
    expect(await lake.run(topPages(range))).toEqual([
      { path: '/shoes', pageviews: 2, visitors: 2 },
      { path: '/', pageviews: 1, visitors: 1 },
    ])
    expect(await lake.run(topPages(range, 1))).toHaveLength(1)
  })

  it('binds user-chosen values as parameters', () => {
    const q = topPages({ from: 0, to: 1 }, 5)
    expect(q.sql).not.toContain('1970')
    expect(q.params).toEqual(['1970-01-01T00:00:00.000', '1970-01-01T00:00:00.001', 5])
  })

  it('picks a bucket for the range', () => {
    expect(bucketFor({ from: 0, to: 3_600_000 })).toBe('minute')
    expect(bucketFor({ from: 0, to: 24 * 3_600_000 })).toBe('hour')
    expect(bucketFor({ from: 0, to: 30 * 24 * 3_600_000 })).toBe('day')
    expect(bucketFor({ from: 0, to: 365 * 24 * 3_600_000 })).toBe('week')
  })
})
