import { describe, expect, it } from 'vitest'
import { parseCsv } from './csv.ts'
import { delays, MAX_GAP_MS, rowTime } from './replay.ts'

describe('replay timing', () => {
  const t = [0, 800, 300, 25_000, 25_000, 26_500]
  it('keeps the recorded gaps, clamped to 0-10 s', () => {
    expect(delays(t, true, 200)).toEqual([0, 800, 0, MAX_GAP_MS, 0, 1500])
  })
  it('or waits a fixed delay between rows', () => {
    expect(delays(t, false, 200)).toEqual([0, 200, 200, 200, 200, 200])
  })
  it("reads a row's time from timestamp (ISO 8601, epoch ms) or the reference's original_timestamp (epoch seconds)", () => {
    const rows = parseCsv('original_timestamp,productId,userId\n1767000000,tea-01,c-7\n1767000000.25,,\n')
    expect(rows.map((r) => rowTime(r))).toEqual([1_767_000_000_000, 1_767_000_000_250])
    expect(rowTime({ timestamp: '2026-01-10T10:00:00Z' })).toBe(Date.UTC(2026, 0, 10, 10))
    expect(rowTime({ timestamp: '1767000000000' })).toBe(1_767_000_000_000)
    expect(() => rowTime({ original_timestamp: 'soon' }, 3)).toThrow(/row 5: original_timestamp "soon" is not epoch seconds/)
  })
})

describe('csv', () => {
  it('reads quoted fields with commas, quotes and line breaks, by header name', () => {
    const text =
      'timestamp,ip,userAgent,productId\r\n2026-01-10T10:00:00Z,81.2.69.1,"Mozilla/5.0 (X11; Linux x86_64) ""quoted"", ok",tea-01\n\n1767000000000,,"two\nlines",\n'
    expect(parseCsv(text)).toEqual([
      {
        timestamp: '2026-01-10T10:00:00Z',
        ip: '81.2.69.1',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) "quoted", ok',
        productId: 'tea-01',
      },
      { timestamp: '1767000000000', ip: '', userAgent: 'two\nlines', productId: '' },
    ])
  })
})
