import { describe, expect, it } from 'vitest'
import { BATCH_DELAY_MS } from '../../sdk/src/batching.ts'
import type { WireEvent } from '../../warehouse/wire.ts'
import { newVisitor, session } from './model.ts'
import { Random } from './random.ts'
import { trackerRequests } from './tracker.ts'

const ev = (id: string, type: WireEvent['type'], ts: number, extra: Partial<WireEvent> = {}): WireEvent =>
  ({ id, type, ts, url: 'http://127.0.0.1/demo/', ...extra }) as WireEvent

describe('trackerRequests', () => {
  it('sends the pageview of a page kept open past the batch delay by the timer, and the leave (engagement and the leaving click) by beacon', () => {
    expect(BATCH_DELAY_MS).toBe(10_000)
    const visit = [
      ev('p1', 'pageview', 0),
      ev('i1', 'identify', 400),
      ev('c1', 'event', 3000, { name: 'product_click' }), // the model times it before the dwell
      ev('g1', 'engagement', 20_000),
      ev('p2', 'pageview', 21_000),
      ev('a1', 'event', 25_000, { name: 'add_to_cart' }),
      ev('g2', 'engagement', 40_000),
    ]
    const sent = trackerRequests(visit).map((r) => ({ at: r.at, beacon: r.beacon, ids: r.events.map((e) => e.id) }))
    expect(sent).toEqual([
      { at: 10_000, beacon: false, ids: ['p1', 'i1'] },
      { at: 20_000, beacon: true, ids: ['c1', 'g1'] },
      { at: 31_000, beacon: false, ids: ['p2', 'a1'] },
      { at: 40_000, beacon: true, ids: ['g2'] },
    ])
  })

  it('sends a page left within the batch delay as one beacon, and 10 waiting events at once', () => {
    const quick = trackerRequests([ev('p1', 'pageview', 0), ev('g1', 'engagement', 500)])
    expect(quick.map((r) => [r.beacon, r.events.length])).toEqual([[true, 2]])
    // Two pages of 9 s each: one request a page, the pageview, the leaving click and the engagement together.
    const twoPages = trackerRequests([
      ev('p1', 'pageview', 0),
      ev('c1', 'event', 2000, { name: 'product_click' }),
      ev('g1', 'engagement', 9000),
      ev('p2', 'pageview', 9500),
      ev('g2', 'engagement', 18_500),
    ])
    expect(twoPages.map((r) => ({ at: r.at, beacon: r.beacon, ids: r.events.map((e) => e.id) }))).toEqual([
      { at: 9000, beacon: true, ids: ['p1', 'c1', 'g1'] },
      { at: 18_500, beacon: true, ids: ['p2', 'g2'] },
    ])
    const burst = trackerRequests(Array.from({ length: 12 }, (_, i) => ev(`e${i}`, 'event', i, { name: 'x' })))
    expect(burst.map((r) => [r.at, r.events.length])).toEqual([
      [9, 10],
      [10_010, 2],
    ])
  })

  it('sends every event of a modelled visit exactly once, in order of sending', () => {
    const rng = new Random('tracker-test')
    for (let i = 0; i < 50; i++) {
      let n = 0
      const events = session(rng.fork(`v${i}`), newVisitor(rng.fork(`n${i}`), i), 0, {
        base: 'http://127.0.0.1/demo/',
        nextId: () => `id${n++}`,
      })
      const requests = trackerRequests(events)
      expect(requests.flatMap((r) => r.events.map((e) => e.id)).sort()).toEqual(events.map((e) => e.id).sort())
      expect(requests.every((r, k) => k === 0 || r.at >= requests[k - 1]!.at)).toBe(true)
      expect(requests.every((r) => r.events.length >= 1 && r.events.length <= 20)).toBe(true)
    }
  })
})
