/**
 * The hand-written checks (validate-fast.ts) against the zod schemas they stand in front of: for random
 * events and batches, valid and invalid, on both sides of every limit, whenever the fast check accepts,
 * zod accepts too and returns an equal value; and validateEvents answers exactly as with zod alone.
 * Inputs are JSON texts parsed as the collector parses them (so "__proto__" can be an own key).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EVENT_TYPES } from '../warehouse/schema.ts'
import { LIMITS, wireBatch, wireEvent } from '../warehouse/wire.ts'
import { fastBatch, fastEvent } from './validate-fast.ts'
import { parseBatch, validateEvents } from './validate.ts'

const now = Date.now()

/** Strings of about `max` characters, in ASCII and in all of Unicode (surrogate pairs: units > code points). */
function near(max: number): fc.Arbitrary<string> {
  const around = (unit: 'binary' | 'grapheme-ascii') =>
    fc.integer({ min: Math.max(0, max - 2), max: max + 2 }).chain((n) => fc.string({ unit, minLength: n, maxLength: n }))
  return fc.oneof(around('grapheme-ascii'), around('binary'), fc.constantFrom('', '\ud800', ' x '))
}
/** Valid strings: short ones, ASCII at the limit, and Unicode up to the limit in code points (zod counts those). */
const upTo = (max: number, min = 0) =>
  fc.oneof(
    { arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 12) }), weight: 6 },
    { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: max, maxLength: max }), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', minLength: Math.max(min, max - 1), maxLength: max }), weight: 1 },
  )
/** Numbers valid and not for integer fields: both sides of each bound, fractions, beyond safe integers. */
const int = (min: number, max: number) =>
  fc.oneof(
    fc.constantFrom(min - 1, min, min + 1, max - 1, max, max + 1, -0, 0.5, 2 ** 53),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  )
/** Any JSON value at all (the wrong type for most fields). */
const junk = fc.oneof(
  fc.string({ maxLength: 5 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.constant({}),
)

const goodUrl = fc.oneof(
  fc.webPath().map((p) => `http://localhost${p.startsWith('/') ? p : `/${p}`}`),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
)
const oddUrl = fc.oneof(
  fc.integer({ min: LIMITS.urlChars - 20, max: LIMITS.urlChars - 15 }).map((n) => `http://localhost/${'p'.repeat(n)}`),
  fc.constantFrom(
    ' http://localhost/',
    'http://localhost/\t',
    'http://local\nhost/',
    'http://localhost/a b',
    'not a url',
    'http://',
    'http://ü.example/',
    '//localhost/',
    'http://localhost/\u00a0',
  ),
  near(20),
)

/** Props as entries, so that "__proto__" and duplicate keys reach the JSON text. */
class Entries {
  constructor(readonly list: [string, unknown][]) {}
}
/** A JSON number text as it comes, e.g. 1e400 (JSON.parse makes it Infinity). */
class Raw {
  constructor(readonly text: string) {}
}
const huge = fc.constantFrom(new Raw('1e400'), new Raw('-1e400'), new Raw('1e21'), new Raw('-0'))
const goodProps = fc.array(
  fc.tuple(
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.oneof(fc.string({ maxLength: 20 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
  ),
  { maxLength: 5 },
)
const oddPropKey = fc.oneof(near(LIMITS.propKeyChars), fc.constantFrom('__proto__', 'constructor', 'prototype', '', '7', 'toString'))
const oddPropValue = fc.oneof(near(LIMITS.propValueChars), fc.constant({ a: 1 }), fc.constant([1]), huge)
const oddProps = fc.oneof(
  fc.tuple(goodProps, oddPropKey, fc.string()).map(([l, k, v]) => [...l, [k, v]]),
  fc.tuple(goodProps, fc.string({ minLength: 1 }), oddPropValue).map(([l, k, v]) => [...l, [k, v]]),
  fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 5 }), fc.integer()), {
    minLength: LIMITS.propKeys - 2,
    maxLength: LIMITS.propKeys + 2,
  }),
)

/** Every field's valid values, and values that are invalid or unusual for it. */
const VALID = {
  id: fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/),
  type: fc.constantFrom(...EVENT_TYPES),
  name: upTo(LIMITS.nameChars, 1),
  ts: fc.integer({ min: now - 86_400_000, max: now }),
  url: goodUrl,
  referrer: fc.oneof(goodUrl, upTo(LIMITS.urlChars)),
  title: upTo(LIMITS.titleChars),
  props: goodProps.map((l) => new Entries(l as [string, unknown][])),
  userId: upTo(LIMITS.userIdChars, 1),
  element: fc.record({ tag: upTo(20), text: upTo(LIMITS.elementTextChars), href: upTo(LIMITS.urlChars) }, { requiredKeys: ['tag'] }),
  ua: upTo(LIMITS.userAgentChars),
  screen: upTo(20),
  language: upTo(35),
  engagedMs: fc.nat(),
  scrollDepth: fc.integer({ min: 0, max: 100 }),
}
const ODD: Record<string, fc.Arbitrary<unknown>> = {
  id: fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9_-]{6,9}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{63,66}$/),
    fc.stringMatching(/^[A-Za-z0-9_.-]{6,66}$/),
    near(64),
  ),
  type: fc.constantFrom('click', '', 'PAGEVIEW'),
  name: near(LIMITS.nameChars),
  ts: fc.oneof(int(0, Number.MAX_SAFE_INTEGER), huge),
  url: oddUrl,
  referrer: near(LIMITS.urlChars),
  title: near(LIMITS.titleChars),
  props: oddProps.map((l) => new Entries(l as [string, unknown][])),
  userId: near(LIMITS.userIdChars),
  element: fc.oneof(
    fc.record(
      { tag: near(20), text: near(LIMITS.elementTextChars), href: near(LIMITS.urlChars), extra: fc.string() },
      { requiredKeys: ['tag'] },
    ),
  ),
  ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 8 })),
  ua: near(LIMITS.userAgentChars),
  screen: near(20),
  language: near(35),
  engagedMs: fc.oneof(int(0, Number.MAX_SAFE_INTEGER), huge),
  scrollDepth: int(0, 100),
  unknownKey: fc.string(),
  ['__proto__']: fc.constant({ id: 'x' }), // an own key: JSON.parse makes one, zod ignores it
}
const oddField = fc.oneof(
  // props twice as often: its keys and values have the most cases
  fc.constantFrom(...Object.keys(ODD), 'props').chain((k) => ODD[k]!.map((v) => [k, v] as [string, unknown])),
  fc.tuple(fc.constantFrom(...Object.keys(ODD)), junk),
)

/**
 * Entries of an event: a valid event with some optional fields, then 0 to 2 fields replaced by odd values
 * (sometimes a required one removed).
 */
const eventEntries = fc
  .tuple(
    fc.record(VALID, { requiredKeys: ['id', 'type', 'ts', 'url'] }),
    fc.array(oddField, { maxLength: 2 }),
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: fc.constantFrom('id', 'type', 'ts', 'url'), weight: 1 }),
  )
  .map(([r, odd, missing]) => {
    const e = new Map<string, unknown>(Object.entries(r))
    for (const [k, v] of odd) e.set(k, v)
    if (missing) e.delete(missing)
    return [...e]
  })

/** JSON text of an object from entries (duplicate and "__proto__" keys kept as JSON.parse treats them). */
function jsonObject(entries: [string, unknown][]): string {
  const value = (v: unknown) => (v instanceof Entries ? jsonObject(v.list) : v instanceof Raw ? v.text : JSON.stringify(v))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${value(v)}`).join(',')}}`
}
const ok = '"id":"abcdefgh","type":"pageview","ts":1,"url":"http://localhost/"'
/** Cases a random walk rarely meets, as JSON texts. */
const TRICKY = [
  `{${ok},"props":{"__proto__":"x","a":1}}`,
  `{${ok},"props":{"__proto__":{"a":1}}}`,
  `{${ok},"props":{"constructor":"x"}}`,
  `{${ok},"props":{"prototype":1}}`,
  `{${ok},"props":{"a":1e400}}`,
  `{${ok},"props":{"a":-0,"1":true,"":null}}`,
  `{${ok},"props":{${Array.from({ length: LIMITS.propKeys }, (_, i) => `"k${i}":${i}`).join(',')}}}`,
  `{${ok},"props":{${Array.from({ length: LIMITS.propKeys + 1 }, (_, i) => `"k${i}":${i}`).join(',')}}}`,
  `{${ok},"__proto__":{"x":1}}`,
  `{${ok},"element":{"tag":"a","__proto__":"x"}}`,
  `{${ok},"engagedMs":-1}`,
  `{${ok},"engagedMs":-0}`,
  `{${ok},"engagedMs":1e400}`,
  `{${ok},"scrollDepth":101}`,
  `{${ok},"scrollDepth":100}`,
  `{${ok},"scrollDepth":0.5}`,
  '{"id":"abcdefgh","type":"pageview","ts":1e400,"url":"http://localhost/"}',
  '{"id":"abcdefgh","type":"pageview","ts":0,"url":"http://localhost/"}',
  '{"id":"abcdefgh","type":"pageview","ts":-0,"url":"http://localhost/"}',
  '{"id":"abcdefgh","type":"pageview","ts":9007199254740992,"url":"http://localhost/"}',
  '{"id":"abcdefg","type":"pageview","ts":1,"url":"http://localhost/"}',
  `{"id":"${'a'.repeat(64)}","type":"pageview","ts":1,"url":"http://localhost/"}`,
  `{"id":"${'a'.repeat(65)}","type":"pageview","ts":1,"url":"http://localhost/"}`,
  '{"id":"abcdefgh","type":"pageview","ts":1,"url":"http://localhost/\\u00a0"}',
  '{"id":"abcdefgh","type":"pageview","ts":1,"url":"http://loc\\talhost/"}',
  '{"id":"abcdefgh","type":"pageview","ts":1,"url":"\\u2028http://localhost/"}',
  `{${ok},"name":""}`,
  `{${ok},"name":"${'😀'.repeat(LIMITS.nameChars)}"}`,
  `{${ok},"name":"${'😀'.repeat(LIMITS.nameChars + 1)}"}`,
  `{${ok},"userId":"\\ud800"}`,
  `{${ok},"ip":"1.2.3.4"}`,
  `{${ok},"name":"a","name":"b"}`,
  // Every string limit, at the limit and one past it.
  ...(
    [
      ['name', LIMITS.nameChars],
      ['referrer', LIMITS.urlChars],
      ['title', LIMITS.titleChars],
      ['userId', LIMITS.userIdChars],
      ['ua', LIMITS.userAgentChars],
      ['screen', 20],
      ['language', 35],
    ] as const
  ).flatMap(([k, max]) => [max, max + 1].map((n) => `{${ok},"${k}":"${'x'.repeat(n)}"}`)),
  ...[20, 21].map((n) => `{${ok},"element":{"tag":"${'x'.repeat(n)}"}}`),
  ...[LIMITS.elementTextChars, LIMITS.elementTextChars + 1].map((n) => `{${ok},"element":{"tag":"a","text":"${'x'.repeat(n)}"}}`),
  ...[LIMITS.urlChars, LIMITS.urlChars + 1].map((n) => `{${ok},"element":{"tag":"a","href":"${'x'.repeat(n)}"}}`),
  ...[LIMITS.propValueChars, LIMITS.propValueChars + 1].map((n) => `{${ok},"props":{"a":"${'x'.repeat(n)}"}}`),
  ...[LIMITS.propKeyChars, LIMITS.propKeyChars + 1].map((n) => `{${ok},"props":{"${'k'.repeat(n)}":1}}`),
  ...[LIMITS.urlChars, LIMITS.urlChars + 1].map(
    (n) => `{"id":"abcdefgh","type":"pageview","ts":1,"url":"http://localhost/${'p'.repeat(n - 17)}"}`,
  ),
]
const event = fc.oneof(
  { arbitrary: eventEntries.map((e) => JSON.parse(jsonObject(e)) as unknown), weight: 9 },
  { arbitrary: fc.constantFrom(...TRICKY).map((t) => JSON.parse(t) as unknown), weight: 1 },
)

describe('fastEvent', () => {
  it('accepts only what zod accepts, with the value zod returns', () => {
    let fast = 0
    let zodOnly = 0
    fc.assert(
      fc.property(event, (raw) => {
        const f = fastEvent(raw)
        const z = wireEvent.safeParse(raw)
        if (f !== undefined) {
          fast++
          expect(z.success).toBe(true)
          expect(f).toStrictEqual(z.data)
        } else if (z.success) zodOnly++
      }),
      { numRuns: 3000, seed: 20261126 },
    )
    // Not vacuous: the fast path takes a real share, and some valid events are left to zod.
    expect(fast).toBeGreaterThan(300)
    expect(zodOnly).toBeGreaterThan(30)
  })

  it.each(TRICKY)('on %s: accepts only what zod accepts, with the value zod returns', (text) => {
    const f = fastEvent(JSON.parse(text))
    const z = wireEvent.safeParse(JSON.parse(text))
    if (f !== undefined) expect(z.success && z.data).toStrictEqual(f)
  })

  it("takes the tracker's common events", () => {
    const url = 'http://localhost/products/tea-1'
    const events = [
      { id: 'b1-abcdefgh', type: 'pageview', ts: now - 30, url, referrer: 'https://www.google.com/', title: 'Green tea' },
      {
        id: 'b2-abcdefgh',
        type: 'event',
        name: 'add_to_cart',
        ts: now - 20,
        url,
        props: { product_id: 'tea-01', revenue: 12.5, gift: false, note: null },
      },
      {
        id: 'b3-abcdefgh',
        type: 'engagement',
        ts: now - 10,
        url,
        engagedMs: 5400,
        scrollDepth: 80,
        screen: '1920x1080',
        language: 'en-GB',
      },
      { id: 'b4-abcdefgh', type: 'event', name: 'click', ts: now, url, element: { tag: 'a', text: 'Docs', href: 'https://docs.example/' } },
      { id: 'b5-abcdefgh', type: 'identify', ts: now, url, userId: 'u-1', ua: 'curl/8' },
    ]
    for (const e of events) expect(fastEvent(e)).toBe(e)
  })
})

describe('fastBatch', () => {
  const VALID_BATCH = {
    site: fc.oneof(fc.constantFrom('demo', 'my-site_2'), fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,63}$/)),
    sentAt: fc.integer({ min: 1, max: now }),
    events: fc.integer({ min: 1, max: LIMITS.eventsPerBatch }).map((n) => Array.from({ length: n }, (_, i) => i)),
  }
  const ODD_BATCH: Record<string, fc.Arbitrary<unknown>> = {
    site: fc.oneof(fc.stringMatching(/^[a-z0-9_-]{0,66}$/), near(64), junk),
    sentAt: fc.oneof(int(0, Number.MAX_SAFE_INTEGER), junk),
    events: fc.oneof(
      fc.constantFrom(0, LIMITS.eventsPerBatch + 1).map((n) => Array.from({ length: n }, (_, i) => i)),
      junk,
    ),
    extra: fc.string(),
  }
  const batch = fc
    .tuple(
      fc.record(VALID_BATCH),
      fc.array(
        fc.constantFrom(...Object.keys(ODD_BATCH)).chain((k) => ODD_BATCH[k]!.map((v) => [k, v] as const)),
        { maxLength: 2 },
      ),
    )
    .map(([r, odd]) => JSON.parse(JSON.stringify({ ...r, ...Object.fromEntries(odd) })) as unknown)

  it('accepts only what zod accepts, with the value zod returns', () => {
    let fast = 0
    fc.assert(
      fc.property(batch, (raw) => {
        const f = fastBatch(raw)
        const z = wireBatch.safeParse(raw)
        if (f !== undefined) {
          fast++
          expect(z.success).toBe(true)
          expect(f).toStrictEqual(z.data)
        }
        expect(parseBatch(raw).success).toBe(z.success)
      }),
      { numRuns: 2000, seed: 20261126 },
    )
    expect(fast).toBeGreaterThan(500)
  })
})

describe('validateEvents with the fast path', () => {
  it('answers exactly as with zod alone: the same valid events and the same rejections', () => {
    const zodAlone = (raw: unknown) => wireEvent.safeParse(raw)
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 12 }), fc.boolean(), (events, server) => {
        const ctx = { site: 'demo', hosts: ['localhost', 'example.com'], sentAt: now, server }
        expect(validateEvents(events, ctx)).toStrictEqual(validateEvents(events, ctx, zodAlone))
      }),
      { numRuns: 300, seed: 20261126 },
    )
  }, 60_000)
})
