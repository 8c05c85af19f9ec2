import { describe, expect, it } from 'vitest'
import { dayMergedKey, encodeMeta, hourMergedKey, hoursOf, partitionOf, partKey, partName, visibleObjects } from './lake.ts'

const P = partitionOf('demo', Date.UTC(2026, 2, 3, 7, 30))
const obj = (key: string, uploaded: number, covers?: number) => ({
  key,
  uploaded: new Date(uploaded),
  customMetadata: encodeMeta({ rows: 1, minTime: 0, maxTime: 0, schema: 2, ...(covers === undefined ? {} : { covers }) }),
})

describe('lake keys', () => {
  it('builds and parses the hours of parts, merged hours and day files', () => {
    expect(partKey(P, 'abc')).toBe('events/site=demo/date=2026-03-03/hour=07/abc.parquet')
    expect(hourMergedKey(P, 'x')).toBe('events/site=demo/date=2026-03-03/hour=07/merged-x.parquet')
    expect(dayMergedKey('demo', '2026-03-03', '00', '23', 'y')).toBe('events/site=demo/date=2026-03-03/00-23-y.parquet')
    expect(hoursOf(partKey(P, 'abc'))).toEqual({ first: 7, last: 7 })
    expect(hoursOf(hourMergedKey(P, 'x'))).toEqual({ first: 7, last: 7 })
    expect(hoursOf(dayMergedKey('demo', '2026-03-03', '05', '11', 'y'))).toEqual({ first: 5, last: 11 })
    expect(hoursOf('salts/2026-03-03')).toBeNull()
  })

  it('names a part by its sorted ids, whatever their order', async () => {
    expect(await partName(['b', 'a', 'c'])).toBe(await partName(['c', 'b', 'a']))
    expect(await partName(['a', 'b'])).not.toBe(await partName(['a', 'b', 'c']))
    expect(await partName(['a'])).toMatch(/^[0-9a-f]{20}$/)
  })
})

describe('visibleObjects', () => {
  const part = (h: string, name: string, t: number) => obj(`events/site=demo/date=2026-03-03/hour=${h}/${name}.parquet`, t)

  it('hides what a merged file covers: its hours, uploaded at or before covers', () => {
    const objects = [
      part('07', 'p1', 100),
      part('07', 'p2', 200),
      part('07', 'late', 301), // after the merge
      part('08', 'other-hour', 100),
      obj(hourMergedKey(P, 'm'), 300, 200),
    ]
    const { visible, hidden } = visibleObjects(objects)
    expect(hidden.map((o) => o.key.split('/').pop())).toEqual(['p1.parquet', 'p2.parquet'])
    expect(visible.map((o) => o.key.split('/').pop())).toEqual(['late.parquet', 'other-hour.parquet', 'merged-m.parquet'])
  })

  it('lets a day file hide hour files and older day files inside its hours only', () => {
    const objects = [
      obj(dayMergedKey('demo', '2026-03-03', '00', '11', 'old'), 150, 100),
      obj(hourMergedKey(P, 'm'), 120, 110),
      part('12', 'afternoon', 100),
      obj(dayMergedKey('demo', '2026-03-03', '00', '11', 'new'), 400, 300),
    ]
    const { visible, hidden } = visibleObjects(objects)
    expect(hidden.map((o) => o.key.split('/').pop())).toEqual(['00-11-old.parquet', 'merged-m.parquet'])
    expect(visible.map((o) => o.key.split('/').pop())).toEqual(['afternoon.parquet', '00-11-new.parquet'])
  })

  it('shows everything when nothing is merged', () => {
    const objects = [part('01', 'a', 1), part('01', 'b', 2)]
    expect(visibleObjects(objects)).toEqual({ visible: objects, hidden: [] })
  })
})

describe('aggregate keys', () => {
  it('name the site, local date, zone and digest, and parse back', async () => {
    const { aggregateKey, parseAggregateKey } = await import('./lake.ts')
    const key = aggregateKey('demo', '2026-01-10', 'America/Argentina/Buenos_Aires', '0a1b')
    expect(key).toBe('aggregates/site=demo/date=2026-01-10/America~Argentina~Buenos_Aires.0a1b.parquet')
    expect(parseAggregateKey(key)).toEqual({ site: 'demo', date: '2026-01-10', tz: 'America/Argentina/Buenos_Aires', digest: '0a1b' })
    expect(parseAggregateKey('aggregates/site=demo/date=2026-01-10/UTC.parquet')).toBeNull()
  })
})
