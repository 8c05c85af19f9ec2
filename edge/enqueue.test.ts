/**
 * How edge/enqueue.ts cuts a request's rows into queue messages: one per lake partition, split past
 * 120 KB of JSON (UTF-8 bytes, counted exactly when they could matter). The real queue is used, wrapped
 * to record each sendBatch.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EventRow } from '../warehouse/schema.ts'
import { eventRow } from '../warehouse/testing/rows.ts'
import type { LakeMessage } from './env.ts'
import { enqueue, jsonBound } from './enqueue.ts'
import { testEnv } from './test-helpers.ts'
import { HOUR } from '../warehouse/time.ts'

/** The real queue, recording the message bodies of each sendBatch call. */
function recordingQueue() {
  const calls: LakeMessage[][] = []
  const queue = new Proxy(testEnv.EVENTS, {
    get(target, prop) {
      if (prop === 'sendBatch') {
        return async (messages: MessageSendRequest<LakeMessage>[]) => {
          calls.push(messages.map((m) => m.body))
          return target.sendBatch(messages)
        }
      }
      const v = Reflect.get(target, prop) as unknown
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
  return { queue, calls }
}

const t0 = Date.UTC(2026, 10, 26, 10)
const row = (i: number, time = t0, props: Record<string, unknown> | null = null): EventRow =>
  eventRow({ event_id: `e${i}`, event_time: time, props })
const bytes = (m: LakeMessage) => new TextEncoder().encode(JSON.stringify(m)).byteLength
const eventsOf = (calls: LakeMessage[][]) => calls.flat().flatMap((m) => ('events' in m ? m.events.map((e) => e.event_id) : []))

describe('enqueue', () => {
  it('sends a usual request as one message per partition, in one call', async () => {
    const { queue, calls } = recordingQueue()
    await enqueue(queue, [row(1), row(2), row(3, t0 + HOUR), row(4)])
    expect(calls).toHaveLength(1)
    expect(calls[0]!.map((m) => ('events' in m ? m.events.map((e) => e.event_id) : []))).toEqual([['e1', 'e2', 'e4'], ['e3']])
  })

  it('splits a partition past 120 KB of UTF-8, counting multi-byte characters', async () => {
    const { queue, calls } = recordingQueue()
    // 6 rows of ~30,000 characters, each 3 bytes in UTF-8: ~90 KB a row, so one row a message.
    const rows = Array.from({ length: 6 }, (_, i) => row(i, t0, { text: '€'.repeat(30_000) }))
    await enqueue(queue, rows)
    const messages = calls.flat()
    expect(messages).toHaveLength(6)
    for (const m of messages) expect(bytes(m)).toBeLessThanOrEqual(128 * 1024)
    expect(eventsOf(calls)).toEqual(rows.map((r) => r.event_id))
  })

  it('keeps rows in one message when their exact size fits, though 3 bytes a character would not', async () => {
    const { queue, calls } = recordingQueue()
    // ~50,000 ASCII characters: 50 KB exactly, 150 KB by the 3-byte bound.
    const rows = Array.from({ length: 5 }, (_, i) => row(i, t0, { text: 'x'.repeat(10_000) }))
    await enqueue(queue, rows)
    expect(calls.flat()).toHaveLength(1)
    expect(eventsOf(calls)).toEqual(rows.map((r) => r.event_id))
  })
})

describe('jsonBound', () => {
  it('is at least the UTF-8 bytes of the JSON of any row (escapes, surrogates, extreme numbers, nested props)', () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary' }), // any UTF-16 units: lone surrogates, control characters, quotes
      fc.string({ unit: 'grapheme' }),
      fc.double(),
      fc.integer(),
      fc.constantFrom(-Number.MAX_VALUE, Number.MIN_VALUE, -5e-324, 1e21, -1e21, NaN, -Infinity),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.jsonValue(),
      fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })),
    )
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), value), (row) => {
        expect(jsonBound(row)).toBeGreaterThanOrEqual(new TextEncoder().encode(JSON.stringify(row)).byteLength)
      }),
      { numRuns: 2000 },
    )
    const worst = {
      s: '\u0000'.repeat(100),
      q: '"'.repeat(100),
      e: '€'.repeat(100),
      p: '😀'.repeat(50),
      lone: '\ud800'.repeat(100),
      n: -1.7976931348623157e308,
    }
    expect(jsonBound(worst)).toBeGreaterThanOrEqual(new TextEncoder().encode(JSON.stringify(worst)).byteLength)
    expect(jsonBound(row(1))).toBeGreaterThanOrEqual(bytes({ events: [row(1)] }) - 20)
  })
})
