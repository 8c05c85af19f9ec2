/**
 * Property: every event the collector accepts is written by the consumer and read back, value for value, by
 * hyparquet and by native DuckDB (the `TEST_DUCKDB` service, vitest.config.ts), props included as JSON.
 * Strings come from all of Unicode (lone surrogates, NUL, astral characters; a lone surrogate is stored as
 * U+FFFD, the README's rule), numbers from each column type's limits (INT32, TIMESTAMP, DOUBLE). Nothing
 * acknowledged may end in the drop ledger as unwritable or in deadletter/.
 */
import fc from 'fast-check'
import { env } from 'cloudflare:workers'
import { parquetReadObjects } from 'hyparquet'
import { beforeAll, describe, expect, it } from 'vitest'
import { LIMITS } from '../warehouse/wire.ts'
import { READ_PARSERS } from '../warehouse/parquet.ts'
import { COLUMNS } from '../warehouse/schema.ts'
import { DEAD_LETTER_PREFIX } from '../warehouse/lake.ts'
import { clearLake, lakeRows, ORIGIN, postEvents, testEnv } from './test-helpers.ts'
import { DAY } from '../warehouse/time.ts'

const INT32_MAX = 2 ** 31 - 1
const duckdb = (env as unknown as { TEST_DUCKDB: Fetcher }).TEST_DUCKDB

/** The runtime's own String.prototype.toWellFormed (ES2024): the expectation, independent of warehouse/unicode.ts. */
const toWF = (s: string): string => (s as unknown as { toWellFormed(): string }).toWellFormed()
const wf = (v: unknown): unknown =>
  typeof v === 'string'
    ? toWF(v)
    : Array.isArray(v)
      ? v.map(wf)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [toWF(k), wf(x)]))
        : v

const SPECIAL = [
  '\ud83d',
  '\ude00',
  'a\ud83db',
  '\udbff\udfff',
  '\u0000',
  'x\u0000y',
  '😀',
  '\ud83d\ude00',
  '\uFFFD',
  '\uFEFF',
  '𝌆',
  '"\\',
  '\u2028\u2029',
  'é́',
  '',
]
/** Text from all of Unicode, lone surrogates included, at most `max` UTF-16 units (zod counts units). */
const text = (max: number, minLength = 0) =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
        { weight: 2, arbitrary: fc.constantFrom(...SPECIAL) },
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join('').slice(0, max))
    .filter((s) => s.length >= minLength)
const int = (min: number, max: number) => fc.oneof(fc.constantFrom(min, max, min + 1, max - 1), fc.integer({ min, max }))
const double = fc.oneof(
  fc.constantFrom(
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    -0,
    0,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    2 ** 53 + 2,
    INT32_MAX + 1,
    1e-300,
    0.1,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)
const propValue = fc.oneof(text(LIMITS.propValueChars), double, fc.boolean(), fc.constant(null))

const event = fc.record(
  {
    type: fc.constantFrom('pageview', 'event', 'engagement', 'identify'),
    name: text(LIMITS.nameChars, 1),
    title: text(LIMITS.titleChars),
    referrer: text(LIMITS.urlChars),
    userId: text(LIMITS.userIdChars, 1),
    props: fc
      .dictionary(text(LIMITS.propKeyChars, 1), propValue, { maxKeys: 8 })
      .chain((p) => fc.record({ revenue: double }, { requiredKeys: [] }).map((r) => ({ ...p, ...r }))),
    element: fc.record({ tag: text(20), text: text(LIMITS.elementTextChars), href: text(LIMITS.urlChars) }, { requiredKeys: ['tag'] }),
    screen: text(20),
    language: text(35),
    // Past the column's limits too: the collector must refuse what the lake cannot hold.
    engagedMs: fc.oneof(
      { weight: 5, arbitrary: int(0, LIMITS.maxEngagedMs) },
      { weight: 1, arbitrary: fc.constantFrom(2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER) },
    ),
    scrollDepth: int(0, 100),
    path: fc.oneof(fc.webPath(), text(40)),
    offset: fc.oneof(fc.constantFrom(-7 * DAY + 1000, 60_000, 0), fc.integer({ min: -7 * DAY + 1000, max: 60_000 })),
  },
  { requiredKeys: ['type', 'path', 'offset'] },
)
/** The batch's send time: now, or near the far ends of what a timestamp column holds. */
const sentAt = fc.oneof(
  fc.constant(0),
  fc.constantFrom(LIMITS.maxTs, LIMITS.maxTs - 60_000, LIMITS.maxTs + 1000, 7 * DAY + 1),
  fc.integer({ min: 7 * DAY + 1, max: LIMITS.maxTs }),
)

let run = 0
const batch = fc.tuple(sentAt, fc.array(event, { minLength: 1, maxLength: 8 })).map(([at, events]) => {
  const sent = at || Date.now()
  run++
  return {
    site: 'demo',
    sentAt: sent,
    events: events.map(({ path, offset, ...e }, i) => ({
      ...e,
      id: `prop-${run}-${i}-aaaa`,
      // Up to a minute past the latest time a timestamp column holds, when the batch was sent near it.
      ts: Math.max(1, sent + offset),
      url: `${ORIGIN}/${path.replace(/^\//, '')}`,
    })),
  }
})

type Row = Record<string, unknown>
/** Every column as plain JSON values: times as epoch ms, JSON columns as their value. */
const plain = (r: Row, jsonText: boolean): Row =>
  Object.fromEntries(
    COLUMNS.map((c) => {
      const v = r[c.name]
      if (c.type === 'TIMESTAMP') return [c.name, v instanceof Date ? v.getTime() : v]
      if (c.type === 'JSON' && jsonText && typeof v === 'string') return [c.name, JSON.parse(v)]
      return [c.name, v ?? null]
    }),
  )

describe('lake property', () => {
  beforeAll(clearLake)

  it('every accepted event is read back value for value by hyparquet and native DuckDB', { timeout: 300_000 }, async () => {
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(batch, async (body) => {
        await clearLake()
        const res = await postEvents(body, { 'CF-Connecting-IP': '198.51.100.190' }) // its own rate-limit bucket
        expect(res.status).toBeLessThan(500)
        const answer = (await res.json()) as { accepted?: number; rejected?: { index: number }[] }
        const refused = new Set(answer.rejected?.map((r) => r.index))
        // What the wire carries: JSON (-0 is 0), each lone surrogate replaced.
        const wire = (wf(JSON.parse(JSON.stringify(body))) as typeof body).events.filter((_, i) => !refused.has(i))
        expect(answer.accepted ?? 0).toBe(wire.length)
        accepted += wire.length
        if (!wire.length) return

        // hyparquet: wait for the accepted events, then read each file they are in.
        const want = new Set(wire.map((e) => e.id))
        let files: { key: string; rows: Row[] }[] = []
        for (let i = 0; i < 100; i++) {
          const list = (await testEnv.LAKE.list({ prefix: 'events/' })).objects
          files = await Promise.all(
            list.map(async (o) => ({
              key: o.key,
              rows: await parquetReadObjects({ file: await (await testEnv.LAKE.get(o.key))!.arrayBuffer(), parsers: READ_PARSERS }),
            })),
          )
          if (files.flatMap((f) => f.rows).filter((r) => want.has(r.event_id as string)).length >= want.size) break
          await new Promise((r) => setTimeout(r, 100))
        }
        const hyparquet = new Map(files.flatMap((f) => f.rows).map((r) => [r.event_id as string, plain(r, false)]))
        // Native DuckDB on the same bytes.
        const native = new Map<string, Row>()
        for (const f of files) {
          const bytes = await (await testEnv.LAKE.get(f.key))!.arrayBuffer()
          const r = await duckdb.fetch('http://duckdb/', { method: 'POST', body: bytes })
          expect([f.key, r.status, r.status === 200 ? '' : await r.text()]).toEqual([f.key, 200, ''])
          for (const row of (await r.json()) as Row[]) native.set(row.event_id as string, plain(row, true))
        }
        for (const e of wire) {
          const expected = {
            event_id: e.id,
            type: e.type,
            client_time: e.ts,
            name: e.name ?? null,
            title: e.title ?? null,
            referrer: e.referrer || null,
            user_id: e.userId ?? null,
            props: e.props ?? null,
            revenue: typeof e.props?.revenue === 'number' ? e.props.revenue : null,
            element_tag: e.element?.tag ?? null,
            element_text: e.element?.text ?? null,
            element_href: e.element?.href ?? null,
            engaged_ms: e.engagedMs ?? null,
            scroll_depth: e.scrollDepth ?? null,
            screen: e.screen ?? null,
            language: e.language ?? null,
          }
          const h = hyparquet.get(e.id),
            n = native.get(e.id)
          expect(h, `hyparquet: ${e.id}`).toMatchObject(expected)
          expect(n, `native DuckDB: ${e.id}`).toMatchObject(expected)
          // Every other column too: both engines read the same values.
          expect(n).toEqual(h)
        }
      }),
      { numRuns: 30, seed: 20261207, endOnFailure: true },
    )
    expect(accepted).toBeGreaterThan(60)
    // Nothing acknowledged was found unwritable: no ledger row says so, nothing is in deadletter/.
    await new Promise((r) => setTimeout(r, 2500))
    expect((await lakeRows('dropped/')).filter((r) => r.reason === 'unwritable')).toEqual([])
    expect((await testEnv.LAKE.list({ prefix: DEAD_LETTER_PREFIX })).objects).toEqual([])
  })
})
