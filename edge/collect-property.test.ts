/**
 * Property: for any batch of random events, good and bad mixed, the collector never answers 5xx, and
 * every event is either accepted or rejected: accepted + rejected = sent.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { batchOf, ORIGIN, postEvents } from './test-helpers.ts'

const now = Date.now()
const anything = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 2 }))
const goodEvent = fc.record({
  id: fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/),
  type: fc.constantFrom('pageview', 'event', 'engagement'),
  name: fc.string({ minLength: 1, maxLength: 50 }),
  ts: fc.integer({ min: now - 86_400_000, max: now }),
  url: fc.webPath().map((p) => `${ORIGIN}${p.startsWith('/') ? p : `/${p}`}`),
  props: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.oneof(fc.string({ maxLength: 50 }), fc.integer(), fc.boolean()), {
    maxKeys: 5,
  }),
})
// Good events with one field replaced by anything at all, and wholly random values.
const mutated = fc
  .tuple(goodEvent, fc.constantFrom('id', 'type', 'name', 'ts', 'url', 'props', 'referrer', 'screen', 'ip'), anything)
  .map(([e, k, v]) => ({ ...e, [k]: v }))
const event = fc.oneof(goodEvent, mutated, anything)

describe('collector property', () => {
  it('never answers 5xx, and accepted + rejected = sent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 20 }), async (events) => {
        const res = await postEvents(batchOf(events), { 'CF-Connecting-IP': '198.51.100.150' }) // its own rate-limit bucket
        expect(res.status).toBeLessThan(500)
        const body = (await res.json()) as { accepted?: number; rejected?: { index: number }[] }
        expect([202, 400]).toContain(res.status)
        const rejectedEvents = new Set(body.rejected?.map((r) => r.index)).size
        expect((body.accepted ?? 0) + rejectedEvents).toBe(events.length)
      }),
      { numRuns: 150, seed: 20261124 },
    )
  }, 120_000)
})
