import { describe, expect, it } from 'vitest'
import { offsetAt } from '../sql/buckets.ts'
import { localDay, localMidnight, offsetMinutes, offsetsOver } from './zone.ts'

const YEAR = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2027, 0, 1) - 1 }
const iso = (pairs: [number, number][]) => pairs.map(([t, o]) => [new Date(t).toISOString(), o / 60_000])

describe('site time zones', () => {
  it('a DST day has 23 or 25 hours; +05:30 and +05:45 zones start their days off the hour', () => {
    expect(localDay('2026-03-29', 'Europe/Berlin').to + 1 - localDay('2026-03-29', 'Europe/Berlin').from).toBe(23 * 3_600_000)
    expect(localDay('2026-10-25', 'Europe/Berlin').to + 1 - localDay('2026-10-25', 'Europe/Berlin').from).toBe(25 * 3_600_000)
    expect(new Date(localMidnight('2026-06-01', 'Asia/Kolkata')).toISOString()).toBe('2026-05-31T18:30:00.000Z')
    expect(new Date(localMidnight('2026-06-01', 'Asia/Kathmandu')).toISOString()).toBe('2026-05-31T18:15:00.000Z')
  })

  it('finds each offset change of a range to the minute (DST), none for UTC or a zone without DST', () => {
    expect(iso(offsetsOver(YEAR, 'UTC'))).toEqual([['2026-01-01T00:00:00.000Z', 0]])
    expect(iso(offsetsOver(YEAR, 'Asia/Kathmandu'))).toEqual([['2026-01-01T00:00:00.000Z', 345]])
    expect(iso(offsetsOver(YEAR, 'Europe/Berlin'))).toEqual([
      ['2026-01-01T00:00:00.000Z', 60],
      ['2026-03-29T01:00:00.000Z', 120],
      ['2026-10-25T01:00:00.000Z', 60],
    ])
    expect(iso(offsetsOver(YEAR, 'America/New_York'))).toEqual([
      ['2026-01-01T00:00:00.000Z', -300],
      ['2026-03-08T07:00:00.000Z', -240],
      ['2026-11-01T06:00:00.000Z', -300],
    ])
    // Half-hour DST (Lord Howe: +10:30 / +11).
    expect(iso(offsetsOver(YEAR, 'Australia/Lord_Howe'))).toEqual([
      ['2026-01-01T00:00:00.000Z', 660],
      ['2026-04-04T15:00:00.000Z', 630],
      ['2026-10-03T15:30:00.000Z', 660],
    ])
  })

  it('offsetAt gives the offset of any instant of the range, as the platform does', () => {
    for (const tz of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata']) {
      const offsets = offsetsOver(YEAR, tz)
      for (let t = YEAR.from; t <= YEAR.to; t += 3_600_000 * 7 + 60_000 * 13)
        expect(offsetAt(offsets, t), `${tz} ${new Date(t).toISOString()}`).toBe(offsetMinutes(t, tz) * 60_000)
    }
  })
})
