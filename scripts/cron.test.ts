import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cronsOf, nextFire } from './cron.mjs'

const at = (s: string) => Date.parse(s)
const next = (expr: string, after: string) => new Date(nextFire(expr, at(after))).toISOString()

describe('cron schedule (local stack)', () => {
  it("reads wrangler.toml's cron triggers", async () => {
    expect(await cronsOf(join(import.meta.dirname, '../wrangler.toml'))).toEqual(['*/15 * * * *'])
  })

  it('fires at the next matching whole UTC minute, never at the current one', () => {
    expect(next('*/15 * * * *', '2026-12-07T05:29:30Z')).toBe('2026-12-07T05:30:00.000Z')
    expect(next('*/15 * * * *', '2026-12-07T05:30:00Z')).toBe('2026-12-07T05:45:00.000Z')
    expect(next('*/15 * * * *', '2026-12-07T23:59:00Z')).toBe('2026-12-08T00:00:00.000Z')
    expect(next('* * * * *', '2026-12-07T05:29:59.999Z')).toBe('2026-12-07T05:30:00.000Z')
  })

  it('knows ranges, lists, steps and both day fields (either matches, as in cron)', () => {
    expect(next('5,35 9-17/4 * * *', '2026-12-07T09:40:00Z')).toBe('2026-12-07T13:05:00.000Z')
    expect(next('0 3 * * 1', '2026-12-07T05:00:00Z')).toBe('2026-12-14T03:00:00.000Z') // a Monday
    expect(next('0 0 * * 7', '2026-12-07T05:00:00Z')).toBe('2026-12-13T00:00:00.000Z') // 7 is Sunday
    expect(next('0 0 1 * 1', '2026-12-07T05:00:00Z')).toBe('2026-12-14T00:00:00.000Z')
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z')
  })

  it('refuses what it cannot read rather than firing at the wrong time', () => {
    expect(() => nextFire('*/15 * * *', 0)).toThrow('expected 5 fields')
    expect(() => nextFire('0 0 L * *', 0)).toThrow('cannot read the day of month field')
    expect(() => nextFire('0 24 * * *', 0)).toThrow('out of 0-23')
    expect(() => nextFire('0 0 31 2 *', 0)).toThrow('never fires')
  })
})
