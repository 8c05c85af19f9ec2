/** Relative ranges are whole minutes ending with `now`'s minute; custom ranges are kept as given. */
import { describe, expect, it } from 'vitest'
import { parseState, previousOf, rangeOf } from './state.ts'

const MIN = 60_000
const DAY = 86_400_000
const NOW = Date.UTC(2026, 10, 26, 10, 17, 42, 345)
const END = Date.UTC(2026, 10, 26, 10, 18) - 1 // the last ms of 10:17
const whole = (r: { from: number; to: number }) => r.from % MIN === 0 && (r.to + 1) % MIN === 0

describe('rangeOf', () => {
  it('ends relative ranges at the last millisecond of the current minute and starts them on a minute', () => {
    const at = (range: string) => rangeOf(parseState(`?range=${range}`), NOW)
    expect(at('realtime')).toEqual({ from: END + 1 - 30 * MIN, to: END })
    expect(at('today')).toEqual({ from: Date.UTC(2026, 10, 26), to: END })
    expect(at('yesterday')).toEqual({ from: Date.UTC(2026, 10, 25), to: Date.UTC(2026, 10, 26) - 1 })
    expect(at('7d')).toEqual({ from: END + 1 - 7 * DAY, to: END })
    expect(at('30d')).toEqual({ from: END + 1 - 30 * DAY, to: END })
    expect(rangeOf(parseState(''), NOW)).toEqual(at('7d')) // the default
    for (const r of ['realtime', 'today', 'yesterday', '7d', '30d']) {
      expect(whole(at(r)), r).toBe(true)
      expect(whole(previousOf(at(r))), `${r}, previous period`).toBe(true)
      if (r !== 'yesterday') expect(at(r).to).toBeGreaterThanOrEqual(NOW)
    }
  })

  it('keeps a custom range as given', () => {
    const s = parseState('?range=custom&from=2026-01-01T00:00:30.000Z&to=2026-01-02T12:00:00.500Z')
    expect(rangeOf(s, NOW)).toEqual({ from: Date.UTC(2026, 0, 1, 0, 0, 30), to: Date.UTC(2026, 0, 2, 12, 0, 0, 500) })
  })
})
