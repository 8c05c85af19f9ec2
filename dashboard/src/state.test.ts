/**
 * Calendar ranges start at a local midnight of the site's zone and end with `now`'s minute (whole minutes
 * both); custom ranges are kept as given.
 */
import { describe, expect, it } from 'vitest'
import { parseState, previousOf, rangeOf } from './state.ts'
import { MINUTE as MIN } from '../../warehouse/time.ts'

const NOW = Date.UTC(2026, 10, 26, 10, 17, 42, 345)
const END = Date.UTC(2026, 10, 26, 10, 18) - 1 // the last ms of 10:17
const whole = (r: { from: number; to: number }) => r.from % MIN === 0 && (r.to + 1) % MIN === 0

describe('rangeOf', () => {
  it('ends relative ranges at the last millisecond of the current minute and starts them on a minute', () => {
    const at = (range: string) => rangeOf(parseState(`?range=${range}`), NOW)
    expect(at('realtime')).toEqual({ from: END + 1 - 30 * MIN, to: END })
    expect(at('today')).toEqual({ from: Date.UTC(2026, 10, 26), to: END })
    expect(at('yesterday')).toEqual({ from: Date.UTC(2026, 10, 25), to: Date.UTC(2026, 10, 26) - 1 })
    // The last 7 and 30 days are calendar days with today (Plausible's and Umami's ranges), not 7 x 24 hours.
    expect(at('7d')).toEqual({ from: Date.UTC(2026, 10, 20), to: END })
    expect(at('30d')).toEqual({ from: Date.UTC(2026, 9, 28), to: END })
    expect(at('month')).toEqual({ from: Date.UTC(2026, 10, 1), to: END })
    expect(at('lastmonth')).toEqual({ from: Date.UTC(2026, 9, 1), to: Date.UTC(2026, 10, 1) - 1 })
    expect(at('12mo')).toEqual({ from: Date.UTC(2025, 11, 1), to: END })
    expect(at('ytd')).toEqual({ from: Date.UTC(2026, 0, 1), to: END })
    expect(rangeOf(parseState('?range=all'), NOW, 'UTC', '2024-03-05')).toEqual({ from: Date.UTC(2024, 2, 5), to: END })
    expect(rangeOf(parseState(''), NOW)).toEqual(at('7d')) // the default
    for (const r of ['realtime', 'today', 'yesterday', '7d', '30d', 'month', 'lastmonth', '12mo', 'ytd', 'all']) {
      expect(whole(at(r)), r).toBe(true)
      expect(whole(previousOf(at(r))), `${r}, previous period`).toBe(true)
      if (r !== 'yesterday' && r !== 'lastmonth') expect(at(r).to).toBeGreaterThanOrEqual(NOW)
    }
  })

  it("follows the site's time zone: local midnights, DST and +05:45 included", () => {
    // 10:17 UTC on Nov 26 is 16:02 in Kathmandu (+05:45): today began at 18:15 UTC the day before.
    expect(rangeOf(parseState('?range=today'), NOW, 'Asia/Kathmandu').from).toBe(Date.UTC(2026, 10, 25, 18, 15))
    // New York's 7 days from Mar 2 to today Mar 8 2026 (DST began at 02:00 local on Mar 8): EST midnights.
    const ny = rangeOf(parseState('?range=7d'), Date.UTC(2026, 2, 8, 20), 'America/New_York')
    expect(ny.from).toBe(Date.UTC(2026, 2, 2, 5))
    expect(rangeOf(parseState('?range=yesterday'), Date.UTC(2026, 2, 9, 20), 'America/New_York')).toEqual({
      from: Date.UTC(2026, 2, 8, 5),
      to: Date.UTC(2026, 2, 9, 4) - 1,
    })
  })

  it('keeps a custom range as given', () => {
    const s = parseState('?range=custom&from=2026-01-01T00:00:30.000Z&to=2026-01-02T12:00:00.500Z')
    expect(rangeOf(s, NOW)).toEqual({ from: Date.UTC(2026, 0, 1, 0, 0, 30), to: Date.UTC(2026, 0, 2, 12, 0, 0, 500) })
  })
})
