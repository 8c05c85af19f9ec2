import { describe, expect, it } from 'vitest'
import { csvCell, toCsv } from './csv.ts'

describe('CSV export', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
    ['-', "'-"],
    ['a=1', 'a=1'],
    [' =1', ' =1'],
  ])('neutralises %j', (text, cell) => {
    expect(csvCell(text)).toBe(cell)
  })

  it('keeps numbers numeric, negative ones and exponents included', () => {
    for (const v of [-12, -0.5, 1e-7, -1.5e21, 42, '-12', '-0.5', '+3', '1e-7']) expect(csvCell(v)).toBe(String(v))
    expect(
      toCsv(
        ['path', 'n'],
        [
          { path: '=1+1', n: -3 },
          { path: '/a', n: 2 },
        ],
      ),
    ).toBe(`path,n\r\n'=1+1,-3\r\n/a,2\r\n`)
  })

  it('neutralises a header too (the SQL console names its own columns)', () => {
    expect(toCsv(['=x'], [])).toBe(`'=x\r\n`)
  })
})
