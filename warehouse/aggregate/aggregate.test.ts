/**
 * The aggregate tier against the SQL library over the raw events, on both engines: every overview figure
 * from the aggregates (warehouse/sql/aggregates.ts) equals the raw answer, on the hand-counted shop and on
 * the edge cases (a session across midnight, the salt rotation, duplicates across files, a late event into a
 * closed day, a +05:45 site, a DST day).
 */
import { describe, expect, it, vi } from 'vitest'
import { parquetToArrowIPC } from '../../dashboard/src/decode.ts'
import { compactLake } from '../compact.ts'
import { encodeMeta, partitionOf, partKey, partName } from '../lake.ts'
import { NativeLake, type Row } from '../native.ts'
import { timeRange, writeEvents } from '../parquet.ts'
import { SCHEMA_VERSION, type EventRow } from '../schema.ts'
import { createAggregates } from '../sql/ddl.ts'
import { AGGREGATES, breakdownSplit, customEventsSplit, eventPropsSplit, kpisSplit, propKeysSplit, sessionBreakdownSplit, type Split } from '../sql/aggregates.ts'
import { breakdown, customEvents, eventProps, propKeys, sessionBreakdown } from '../sql/breakdowns.ts'
import { kpis } from '../sql/kpis.ts'
import type { Query, Range } from '../sql/query.ts'
import { MemoryBucket } from '../testing/bucket.ts'
import { eventRow } from '../testing/rows.ts'
import { at, DAY_D, shopFiles } from '../testing/shop.ts'
import { WasmLake } from '../testing/wasm.ts'
import { AGGREGATE_COLUMNS, EVENT_DIMS, VISIT_DIMS } from './columns.ts'
import { aggregateDay } from './job.ts'
import { localDay } from './zone.ts'

/** Writes rows as the consumer does (one part per hour partition and group), then compacts as the cron. */
async function lakeOf(groups: readonly (readonly EventRow[])[], bucket = new MemoryBucket(), at?: number): Promise<MemoryBucket> {
  for (const rows of groups) {
    const parts = new Map<string, EventRow[]>()
    for (const r of rows) {
      const k = partKey(partitionOf(r.site, r.event_time), 'x')
      parts.set(k, [...(parts.get(k) ?? []), r])
    }
    for (const part of parts.values()) {
      const key = partKey(partitionOf(part[0]!.site, part[0]!.event_time), await partName(part.map((r) => r.event_id)))
      await bucket.put(key, writeEvents(part), { customMetadata: encodeMeta({ rows: part.length, ...timeRange(part), schema: SCHEMA_VERSION }) })
    }
  }
  // Compacted as the cron leaves it a few days later (or at `at`).
  const now = at ?? Math.max(...groups.flat().map((r) => r.event_time)) + 3 * 86_400_000
  const r = await compactLake(bucket, { now, days: 10, settledAt: Date.now() + 1000 })
  expect(r.failed).toEqual([])
  return bucket
}

const bytesOf = (bucket: MemoryBucket, prefix: string) => [...bucket.objects].filter(([k]) => k.startsWith(prefix)).map(([, o]) => o.body)

/** Both engines over the lake's events (raw) and its aggregates. */
async function engines(bucket: MemoryBucket) {
  const events = bytesOf(bucket, 'events/')
  const aggs = bytesOf(bucket, 'aggregates/')
  const native = await NativeLake.open()
  const wasm = await WasmLake.open()
  const { writeFile, mkdtemp } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = await mkdtemp(join(tmpdir(), 'footfall-agg-'))
  const paths = await Promise.all(events.map(async (b, i) => { const p = join(dir, `e${i}.parquet`); await writeFile(p, new Uint8Array(b)); return p }))
  await native.load(paths)
  const aggPaths = await Promise.all(aggs.map(async (b, i) => { const p = join(dir, `a${i}.parquet`); await writeFile(p, new Uint8Array(b)); return p }))
  await native.conn.run(createAggregates)
  if (aggPaths.length) await native.conn.run(`INSERT INTO ${AGGREGATES} BY NAME SELECT * FROM read_parquet([${aggPaths.map((p) => `'${p}'`).join(', ')}])`)
  await wasm.load(events)
  wasm.conn.query(createAggregates)
  for (const a of aggs) wasm.conn.insertArrowFromIPCStream(await parquetToArrowIPC(a, AGGREGATE_COLUMNS), { name: AGGREGATES, create: false })
  const run = async (q: Query): Promise<Row[]> => {
    const n = await native.run(q)
    expect(await wasm.run(q)).toEqual(n)
    return n
  }
  return { run }
}

/** Rows with ratios rounded (a sum over visits and an average differ in the last bits). */
const round = (rows: Row[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e9) / 1e9 : v])))

/** Asserts every overview figure of `range` from `split` equals the raw answer. */
async function expectSame(run: (q: Query) => Promise<Row[]>, range: Range, split: Split, exactVisitors = true) {
  // Unique visitors of the KPIs: exact for one day, the sketch over several (exact for sets this small).
  const [raw] = await run(kpis(range))
  const [agg] = await run(kpisSplit(split))
  // A split's raw part adds its visitors to the sketch's: the shop's u3, on both sides, then counts twice.
  const keys = ['visits', 'pageviews', 'views_per_visit', 'bounce_rate', 'visit_duration_ms', ...(exactVisitors || !split.raw.length ? ['visitors'] : [])]
  expect(round([pick(agg!, keys)])).toEqual(round([pick(raw!, keys)]))
  // Breakdown visitors over several days are the sum of each day's: a visit across midnight counts on both.
  const visitors = (rows: Row[]) => (exactVisitors ? rows : rows.map(({ visitors: _, ...r }) => r).sort((a, b) => String(a.value).localeCompare(String(b.value))))
  for (const dim of [...EVENT_DIMS, 'path'] as const) {
    const o = dim === 'path' ? { type: 'pageview' as const } : {}
    expect(visitors(await run(breakdownSplit(split, dim, o))), dim).toEqual(visitors(await run(breakdown(range, dim, o))))
  }
  for (const f of VISIT_DIMS) expect(visitors(round(await run(sessionBreakdownSplit(split, f)))), f).toEqual(visitors(round(await run(sessionBreakdown(range, f)))))
  expect(await run(customEventsSplit(split))).toEqual(await run(customEvents(range)))
  for (const [name, key] of [['purchase', 'currency'], ['purchase', 'coupon'], ['add_to_cart', 'size'], ['order', 'total']]) {
    expect(await run(eventPropsSplit(split, name!, key!)), `${name}.${key}`).toEqual(await run(eventProps(range, name!, key!)))
    expect(await run(propKeysSplit(split, name!))).toEqual(await run(propKeys(range, name!)))
  }
  return { raw: raw!, agg: agg! }
}
const pick = (r: Row, keys: string[]) => Object.fromEntries(keys.map((k) => [k, r[k]]))

const NOW = Date.UTC(2027, 5, 1)

// Two engines opened per test, on a machine that may be busy.
vi.setConfig({ testTimeout: 60_000 })

describe('aggregates of the shop', () => {
  it('answer every overview panel of day D as the raw events do, on both engines', async () => {
    const bucket = await lakeOf(shopFiles())
    for (const d of ['2026-01-09', '2026-01-10']) expect((await aggregateDay(bucket, 'demo', d, { now: NOW })).status).toBe('built')
    const { run } = await engines(bucket)
    const { agg } = await expectSame(run, DAY_D, { agg: DAY_D, raw: [] })
    // The hand-counted figures (warehouse/testing/shop.ts): 4 visitors, 5 visits, 9 pageviews.
    expect(pick(agg, ['visitors', 'visits', 'pageviews', 'events'])).toEqual({ visitors: 4, visits: 5, pageviews: 9, events: 3 })
    // Two days: the sketch of small sets counts exactly; one part aggregated and one raw adds up the same.
    // (The shop's u3 keeps one id over two days, which real ids do not: breakdowns count them on each.)
    const two = { from: at(-1, 0), to: DAY_D.to }
    await expectSame(run, two, { agg: two, raw: [] }, false)
    await expectSame(run, two, { agg: { from: at(-1, 0), to: at(0, 0) - 1 }, raw: [DAY_D] }, false)
    // A second run finds the days fresh.
    expect((await aggregateDay(bucket, 'demo', '2026-01-10', { now: NOW })).status).toBe('fresh')
  })
})

const V = (id: string, over: Partial<EventRow> = {}): Partial<EventRow> => ({ visitor_id: id, country: 'DE', device_type: 'desktop', browser: 'Chrome', os: 'Linux', channel: 'direct', ...over })
let n = 0
const ev = (who: Partial<EventRow>, t: number, type: EventRow['type'] = 'pageview', path = '/', over: Partial<EventRow> = {}) =>
  eventRow({ event_id: `x${String(++n).padStart(4, '0')}`, type, event_time: t, client_time: t, received_time: t, path, url: `https://s.example${path}`, ...who, ...over })

describe('aggregates at the edges', () => {
  it('a session across midnight and the salt rotation count once, in the day they start', async () => {
    const a = 'a'.repeat(32), b = 'b'.repeat(32)
    const rows = [
      ev(V(a), at(0, 23, 40)), ev(V(a), at(0, 23, 50), 'pageview', '/shoes'),
      // After midnight the same person has a new id, with yesterday's as visitor_id_prev.
      ev(V(b, { visitor_id_prev: a }), at(1, 0, 10), 'pageview', '/cart'), ev(V(b), at(1, 0, 30), 'event', '/cart', { name: 'order', props: { total: 5 } }),
      ev(V(b), at(1, 9), 'pageview', '/'),
      ev(V('c'.repeat(32)), at(1, 10), 'pageview', '/'),
    ]
    // The same events delivered twice, in two parts each: duplicates across files.
    const bucket = await lakeOf([rows, rows.slice(1, 4)])
    for (const d of ['2026-01-10', '2026-01-11']) expect((await aggregateDay(bucket, 'demo', d, { now: NOW })).status).toBe('built')
    const { run } = await engines(bucket)
    const d1 = { from: at(1, 0), to: at(2, 0) - 1 }
    const { agg } = await expectSame(run, d1, { agg: d1, raw: [] })
    expect(pick(agg, ['visits', 'pageviews'])).toEqual({ visits: 2, pageviews: 3 })
    const d0 = { from: at(0, 0), to: at(1, 0) - 1 }
    const r0 = await expectSame(run, d0, { agg: d0, raw: [] })
    expect(pick(r0.agg, ['visits', 'visit_duration_ms'])).toEqual({ visits: 1, visit_duration_ms: 50 * 60_000 })
    // Over both days the visitor who crossed midnight is one (the sketch merges their key); the breakdowns'
    // sum of days counts them on each day (see warehouse/sql/aggregates.ts).
    const both = { from: d0.from, to: d1.to }
    const r = await expectSame(run, both, { agg: both, raw: [] }, false)
    expect([r.raw.visitors, r.agg.visitors]).toEqual([2, 2])
    const [country] = await run(breakdownSplit({ agg: both, raw: [] }, 'country'))
    expect(country!.visitors).toBe(3)
  })

  it('a late event into a closed day rebuilds its aggregate', async () => {
    const rows = [ev(V('d'.repeat(32)), at(0, 10)), ev(V('d'.repeat(32)), at(0, 10, 5), 'pageview', '/x')]
    const bucket = await lakeOf([rows])
    expect((await aggregateDay(bucket, 'demo', '2026-01-10', { now: NOW })).status).toBe('built')
    await lakeOf([[ev(V('e'.repeat(32)), at(0, 15), 'pageview', '/late')]], bucket)
    const rebuilt = await aggregateDay(bucket, 'demo', '2026-01-10', { now: NOW })
    expect(rebuilt.status).toBe('built')
    // The rebuilt day is a new key (readers cache lake files for good); the earlier one is gone.
    expect([...bucket.objects.keys()].filter((k) => k.startsWith('aggregates/'))).toEqual([rebuilt.key])
    const { run } = await engines(bucket)
    const { agg } = await expectSame(run, DAY_D, { agg: DAY_D, raw: [] })
    expect(pick(agg, ['visitors', 'pageviews'])).toEqual({ visitors: 2, pageviews: 3 })
  })

  it('waits for the days it needs to close', async () => {
    const bucket = await lakeOf([[ev(V('f'.repeat(32)), at(0, 10))]], new MemoryBucket(), at(0, 12))
    expect((await aggregateDay(bucket, 'demo', '2026-01-10', { now: at(0, 12) })).status).toBe('waiting')
    expect((await aggregateDay(bucket, 'demo', '2026-01-10', { now: at(1, 1) })).status).toBe('waiting')
  })

  for (const [tz, date] of [['Asia/Kathmandu', '2026-01-10'], ['Asia/Kolkata', '2026-01-10'], ['America/New_York', '2026-03-08'], ['America/New_York', '2026-11-01']] as const) {
    it(`a site in ${tz}: local day ${date} (${localDay(date, tz).to + 1 - localDay(date, tz).from} ms) equals the raw events of its UTC range`, async () => {
      const day = localDay(date, tz)
      const rows: EventRow[] = []
      // Events every 37 minutes from a day before to a day after, a new visitor each 3 hours.
      for (let i = 0, t = day.from - 86_400_000; t < day.to + 86_400_000; i++, t += 37 * 60_000) {
        const who = String(Math.floor(t / 10_800_000) % 97).padStart(32, '0')
        rows.push(ev(V(who, { country: i % 2 ? 'DE' : 'NP' }), t, i % 3 ? 'pageview' : 'event', `/p${i % 5}`, i % 3 ? {} : { name: 'order', props: { total: i % 7 } }))
      }
      const bucket = await lakeOf([rows])
      expect((await aggregateDay(bucket, 'demo', date, { now: NOW, tz })).status).toBe('built')
      const { run } = await engines(bucket)
      const { agg } = await expectSame(run, day, { agg: day, raw: [] })
      expect(agg.pageviews).toBeGreaterThan(0)
    })
  }
})

describe('aggregate coverage', () => {
  it('a day without events after the first aggregated day gets an empty aggregate, none before it', async () => {
    const bucket = await lakeOf([[ev(V('9'.repeat(32)), at(0, 10)), ev(V('9'.repeat(32)), at(2, 10))]])
    const status = []
    for (const d of ['2026-01-09', '2026-01-10', '2026-01-11', '2026-01-12']) status.push((await aggregateDay(bucket, 'demo', d, { now: NOW })).status)
    expect(status).toEqual(['empty', 'built', 'built', 'built'])
    const { run } = await engines(bucket)
    const d1 = { from: at(1, 0), to: at(2, 0) - 1 }
    const [k] = await run(kpisSplit({ agg: d1, raw: [] }))
    expect(pick(k!, ['visitors', 'visits', 'pageviews'])).toEqual({ visitors: 0, visits: 0, pageviews: 0 })
  })

  it('splits a range into the run of aggregated days inside it and the rest', async () => {
    const { splitRange } = await import('../sql/aggregates.ts')
    const day = (d: number) => ({ from: at(d, 0), to: at(d + 1, 0) - 1 })
    // A rolling range from 10:00 on day 0 to day 4, days 1..2 aggregated (day 4 open, day 3 not yet built).
    const range = { from: at(0, 10), to: at(4, 12) }
    expect(splitRange(range, [day(0), day(1), day(2)])).toEqual({ agg: { from: at(1, 0), to: at(3, 0) - 1 }, raw: [{ from: at(0, 10), to: at(1, 0) - 1 }, { from: at(3, 0), to: at(4, 12) }] })
    expect(splitRange(range, [])).toEqual({ agg: null, raw: [range] })
    // A gap ends the run: what follows it is read raw.
    expect(splitRange(range, [day(1), day(3)]).agg).toEqual(day(1))
  })
})
