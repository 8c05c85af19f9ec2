import { describe, expect, it } from 'vitest'
import { isWellFormed, mayHoldLoneSurrogate, toWellFormed, wellFormed, wellFormedDeep } from './unicode.ts'
import { rowProblem } from './parquet.ts'
import { COLUMNS } from './schema.ts'
import { eventRow } from './testing/rows.ts'

describe('valid Unicode for the lake', () => {
  it('replaces each lone surrogate with U+FFFD, as String.prototype.toWellFormed does, and keeps pairs', () => {
    for (const s of [
      '\ud83d',
      '\ude00',
      'a\ud83db',
      '\ude00\ud83d',
      '\ud83d\ud83d\ude00',
      '😀',
      'x\u0000y',
      '\uFEFF',
      '',
      '\udbff\udfff\udbff',
    ]) {
      expect(toWellFormed(s)).toBe((s as unknown as { toWellFormed(): string }).toWellFormed())
      expect(isWellFormed(s)).toBe((s as unknown as { isWellFormed(): boolean }).isWellFormed())
    }
  })

  it('repairs keys and values at any depth, and keeps "__proto__" an own key', () => {
    const parsed = JSON.parse('{"\\ud83d":["\\ude00",{"__proto__":"\\ud800"}],"ok":1}')
    const fixed = wellFormed(parsed) as Record<string, unknown>
    expect(fixed).toEqual({ '\uFFFD': ['\uFFFD', JSON.parse('{"__proto__":"\uFFFD"}')], ok: 1 })
    expect(Object.hasOwn((fixed['\uFFFD'] as object[])[1]!, '__proto__')).toBe(true)
    expect(wellFormedDeep(parsed)).toBe(false)
    expect(wellFormedDeep(fixed)).toBe(true)
  })

  it('tells a JSON text that may hold a lone surrogate by its escapes only', () => {
    expect(mayHoldLoneSurrogate('{"k":"\\ud83d"}')).toBe(true)
    expect(mayHoldLoneSurrogate('{"k":"\\uDC00"}')).toBe(true)
    expect(mayHoldLoneSurrogate('{"k":"😀 \\u00e9"}')).toBe(false)
  })

  it('makes the writer refuse JSON that still holds one, and each number past its column type', () => {
    expect(rowProblem(COLUMNS, eventRow({ event_id: 'u1', props: { k: '\ud83d' } }))).toBe('props: not a JSON')
    expect(rowProblem(COLUMNS, eventRow({ event_id: 'u1', engaged_ms: 2 ** 31 - 1 }))).toBeNull()
    expect(rowProblem(COLUMNS, eventRow({ event_id: 'u1', engaged_ms: 2 ** 31 }))).toBe('engaged_ms: not a INT32')
    expect(rowProblem(COLUMNS, eventRow({ event_id: 'u1', client_time: 8.64e15 }))).toBeNull()
    expect(rowProblem(COLUMNS, eventRow({ event_id: 'u1', client_time: 8.64e15 + 1 }))).toBe('client_time: not a TIMESTAMP')
  })
})
