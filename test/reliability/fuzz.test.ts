/**
 * Scenario 5, fuzzing: fast-check payloads over real HTTP to `wrangler dev`, a bounded number of runs each
 * cut off by a time limit. Random bodies (bytes, text, JSON) are never answered 5xx; random well-formed
 * batches (good events, good events with one field replaced by anything, anything) are never answered 5xx
 * and each event is accepted or rejected: accepted + rejected = sent. Then the lake holds exactly the
 * accepted events, once each.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startStack, type Stack } from '../helpers/stack.ts'
import { batch, DAY, PAGE, postEvents, waitForRows, type Answer } from './support/input-http.ts'

let stack: Stack
let accepted = 0
const figures: string[] = []

beforeAll(async () => {
  stack = await startStack({ port: await freePort() })
})
afterAll(async () => {
  await stack?.stop()
  console.log(`fuzz: ${figures.join('; ')}`)
})

/** Runs a property for at most `runs` runs or `ms`, whichever ends first, and says how many ran. */
async function check<T>(name: string, arb: fc.Arbitrary<T>, predicate: (v: T) => Promise<void>, runs: number, ms: number) {
  const out = await fc.check(fc.asyncProperty(arb, predicate), {
    numRuns: runs,
    interruptAfterTimeLimit: ms,
    seed: 20261126,
    markInterruptAsFailure: false,
  })
  if (out.failed) throw new Error(fc.defaultReportMessage(out) ?? 'property failed')
  figures.push(`${name} ${out.numRuns} runs`)
  expect(out.numRuns).toBeGreaterThan(0)
  return out.numRuns
}

function noServerError(a: Answer): void {
  expect(a.status).toBeLessThan(500)
  expect([202, 400, 403, 413]).toContain(a.status)
  if (a.status >= 400) expect(typeof a.json?.error).toBe('string')
}

const now = Date.now()
const anything = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.object({ maxDepth: 2 }),
  fc.string({ unit: 'binary' }),
)
const goodEvent = fc.record({
  id: fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/),
  type: fc.constantFrom('pageview', 'event', 'engagement'),
  name: fc.string({ minLength: 1, maxLength: 50, unit: 'binary' }),
  ts: fc.integer({ min: now - DAY, max: now }),
  url: fc.webPath().map((p) => `${PAGE.slice(0, -1)}${p.startsWith('/') ? p : `/${p}`}`),
  title: fc.string({ maxLength: 100, unit: 'binary' }),
  props: fc.dictionary(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.oneof(fc.string({ maxLength: 50, unit: 'binary' }), fc.integer(), fc.boolean()),
    { maxKeys: 5 },
  ),
})
const mutated = fc
  .tuple(
    goodEvent,
    fc.constantFrom(
      'id',
      'type',
      'name',
      'ts',
      'url',
      'title',
      'props',
      'referrer',
      'screen',
      'ip',
      'engagedMs',
      'scrollDepth',
      'element',
      'userId',
    ),
    anything,
  )
  .map(([e, k, v]) => ({ ...e, [k]: v }))
const event = fc.oneof({ weight: 3, arbitrary: goodEvent }, { weight: 2, arbitrary: mutated }, { weight: 1, arbitrary: anything })

// Unique ids per request, so the lake's count can be checked against the accepted ones.
let serial = 0
const unique = (events: unknown[]) =>
  events.map((e) =>
    e && typeof e === 'object' && typeof (e as { id?: unknown }).id === 'string' && /^[A-Za-z0-9_-]{8,}$/.test((e as { id: string }).id)
      ? { ...e, id: `fz${String(serial++).padStart(7, '0')}` }
      : e,
  )

// Refusals count toward the per-IP rate limit (300 a minute): each run comes from its own address, so the
// properties meet the collector's answers to their input, never the limiter.
let ips = 0
const nextIp = () => (ips++, `198.18.${(ips >> 8) & 255}.${ips & 255}`)

describe('fuzzing the collector over HTTP', () => {
  it('never answers random bodies with 5xx', async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }),
      fc.string({ maxLength: 2000, unit: 'binary' }),
      fc.json({ maxDepth: 4 }),
      fc
        .record({
          site: fc.oneof(fc.constant('demo'), fc.string()),
          sentAt: anything,
          events: fc.oneof(anything, fc.array(anything, { maxLength: 5 })),
        })
        .map((b) => JSON.stringify(b)),
    )
    await check(
      'random bodies',
      body,
      async (b) => {
        const a = await postEvents(stack, b as string | Uint8Array, { 'CF-Connecting-IP': nextIp() })
        noServerError(a)
        accepted += Number(a.json?.accepted ?? 0)
      },
      500,
      25_000,
    )
  })

  it('never answers a random batch with 5xx, and accepted + rejected = sent (browser and server-side)', async () => {
    const input = fc.record({ events: fc.array(event, { minLength: 1, maxLength: 20 }), server: fc.boolean() })
    await check(
      'random batches',
      input,
      async ({ events, server }) => {
        const sent = unique(events)
        const a = await postEvents(stack, batch(sent), {
          'CF-Connecting-IP': nextIp(),
          ...(server ? { Authorization: 'Bearer demo-server-key' } : {}),
        })
        noServerError(a)
        expect([202, 400]).toContain(a.status)
        const rejected = new Set((a.json?.rejected as { index: number }[] | undefined)?.map((r) => r.index)).size
        expect(Number(a.json?.accepted ?? 0) + rejected).toBe(sent.length)
        accepted += Number(a.json?.accepted ?? 0)
      },
      400,
      40_000,
    )
  })

  it('stored exactly the accepted events, once each', async () => {
    expect(accepted).toBeGreaterThan(0)
    const rows = await waitForRows(stack, (rows) => rows.length >= accepted)
    expect(rows.length).toBe(accepted)
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(accepted)
    figures.push(`${accepted} accepted events stored once each`)
  })
})
