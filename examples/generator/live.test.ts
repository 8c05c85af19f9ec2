import { describe, expect, it } from 'vitest'
import { pages, Returning } from './live.ts'
import { SESSION_GAP_MS } from '../../warehouse/session-gap.ts'
import { newVisitor, session } from './model.ts'
import { Random } from './random.ts'

describe('live', () => {
  it('sends one batch per page: a pageview opens each, the page engagement closes it', () => {
    const rng = new Random('pages')
    let n = 0
    for (let i = 0; i < 200; i++) {
      const v = newVisitor(rng, i)
      const events = session(rng, v, 0, { base: 'http://127.0.0.1/demo/', nextId: () => `id-${n++}-xxxx` })
      const batches = pages(events)
      expect(batches.flat()).toEqual(events)
      for (const b of batches) {
        expect(b[0]!.type).toBe('pageview')
        expect(b.filter((e) => e.type === 'pageview')).toHaveLength(1)
        if (v.device !== 'bot') expect(b.at(-1)!.type).toBe('engagement')
      }
    }
  })

  it('brings a returning visitor back only after more than a session gap', () => {
    const rng = new Random('returning')
    const r = new Returning()
    const a = newVisitor(rng, 0),
      b = newVisitor(rng, 1)
    const t = Date.UTC(2026, 0, 10, 12)
    r.add(a, 1, t, rng)
    r.add(b, 3, t + 60_000, rng)
    expect(r.next(t + SESSION_GAP_MS)).toBeNull()
    expect(r.next(t + SESSION_GAP_MS + 60_000)).toBeNull() // at least a minute more than the gap
    const back = [r.next(t + 2 * 3_600_000), r.next(t + 2 * 3_600_000)]
    expect(back.filter(Boolean)).toHaveLength(2)
    expect(back.map((x) => x![1]).sort()).toEqual([1, 3])
    expect(r.next(t + 10 * 3_600_000)).toBeNull()
  })
})
