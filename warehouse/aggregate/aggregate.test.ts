/**
 * The aggregate tier against the SQL library over the raw events, on both engines: every overview figure
 * from the aggregates (warehouse/sql/aggregates.ts) equals the raw answer, on the hand-counted shop and on
 * the edge cases (a session across midnight, the salt rotation, duplicates across files, a late event into a
 * closed day, a +05:45 site, a DST day); and the time series in a site's zone, bucket for bucket, equal to
 * native DuckDB's own time zone conversion (ICU) of the raw events.
 */
import { createHash } from 'node:crypto'
import { parquetReadObjects } from 'hyparquet'
import { describe, expect, it, vi } from 'vitest'
import { parquetToArrowIPC } from '../../dashboard/src/decode.ts'
import { compactLake } from '../compact.ts'
import {
  datesBetween,
  encodeMeta,
  listAll,
  parseAggregateKey,
  parseMonthAggregateKey,
  parseSliceKey,
  partitionOf,
  partKey,
  partName,
  sliceKey,
} from '../lake.ts'
import { NativeLake, type Row } from '../native.ts'
import { timeRange, writeEvents } from '../parquet.ts'
import { SCHEMA_VERSION, type EventRow } from '../schema.ts'
import { createAggregates, createAggregateSlices } from '../sql/ddl.ts'
import type { Filter } from '../sql/filters.ts'
import {
  AGGREGATE_SLICES,
  AGGREGATES,
  breakdownSplit,
  customEventsSplit,
  eventPropsSplit,
  kpisSplit,
  propKeysSplit,
  sessionBreakdownSplit,
  type Split,
} from '../sql/aggregates.ts'
import { breakdown, customEvents, eventProps, propKeys, sessionBreakdown } from '../sql/breakdowns.ts'
import { kpis } from '../sql/kpis.ts'
import type { Query, Range } from '../sql/query.ts'
import { MemoryBucket } from '../testing/bucket.ts'
import { eventRow } from '../testing/rows.ts'
import { at, DAY_D, shopFiles } from '../testing/shop.ts'
import { bounceCorners, LONG_VISIT_MS, longVisit } from '../testing/journeys.ts'
import { WasmLake } from '../testing/wasm.ts'
import { AGGREGATE_COLUMNS, EVENT_DIMS, SLICE_COLUMNS, SLICE_DIMS, VISIT_DIMS } from './columns.ts'
import { aggregateDay, aggregateLake, unaggregatedDates, unslicedDates } from './job.ts'
import { aggregateMonths, currentAggregates } from './months.ts'
import { addDays, localDay } from './zone.ts'
import { series, SERIES_METRICS } from '../sql/overview.ts'
import { sql, trusted } from '../sql/query.ts'
import type { Bucket } from '../sql/buckets.ts'

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
      await bucket.put(key, writeEvents(part), {
        customMetadata: encodeMeta({ rows: part.length, ...timeRange(part), schema: SCHEMA_VERSION }),
      })
    }
  }
  // Compacted as the cron leaves it a few days later (or at `at`).
  const now = at ?? Math.max(...groups.flat().map((r) => r.event_time)) + 3 * 86_400_000
  const r = await compactLake(bucket, { now, days: 20, settledAt: Date.now() + 1000 })
  expect(r.failed).toEqual([])
  return bucket
}

const bytesOf = (bucket: MemoryBucket, prefix: string) => [...bucket.objects].filter(([k]) => k.startsWith(prefix)).map(([, o]) => o.body)

/** The aggregate files of a lake (days' and months'), without their slices. */
const aggregateKeys = (bucket: MemoryBucket) => [...bucket.objects.keys()].filter((k) => k.startsWith('aggregates/') && !parseSliceKey(k))

/** Both engines over the lake's events (raw) and its aggregates (or those of `aggKeys`), each with its slices. */
async function engines(bucket: MemoryBucket, aggKeys?: readonly string[]) {
  const events = bytesOf(bucket, 'events/')
  const keys = aggKeys ?? aggregateKeys(bucket)
  const aggs = keys.map((k) => bucket.objects.get(k)!.body)
  const slices = keys.flatMap((k) => SLICE_DIMS.map((d) => sliceKey(k, d))).flatMap((k) => bucket.objects.get(k)?.body ?? [])
  const native = await NativeLake.open()
  const wasm = await WasmLake.open()
  const { writeFile, mkdtemp } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = await mkdtemp(join(tmpdir(), 'footfall-agg-'))
  const written = (files: readonly ArrayBuffer[], name: string) =>
    Promise.all(
      files.map(async (b, i) => {
        const p = join(dir, `${name}${i}.parquet`)
        await writeFile(p, new Uint8Array(b))
        return p
      }),
    )
  await native.load(await written(events, 'e'))
  for (const [table, ddl, files, name] of [
    [AGGREGATES, createAggregates, aggs, 'a'],
    [AGGREGATE_SLICES, createAggregateSlices, slices, 's'],
  ] as const) {
    const paths = await written(files, name)
    await native.conn.run(ddl)
    if (paths.length)
      await native.conn.run(`INSERT INTO ${table} BY NAME SELECT * FROM read_parquet([${paths.map((p) => `'${p}'`).join(', ')}])`)
  }
  await wasm.load(events)
  wasm.conn.query(createAggregates)
  wasm.conn.query(createAggregateSlices)
  for (const a of aggs)
    wasm.conn.insertArrowFromIPCStream(await parquetToArrowIPC(a, AGGREGATE_COLUMNS), { name: AGGREGATES, create: false })
  for (const a of slices)
    wasm.conn.insertArrowFromIPCStream(await parquetToArrowIPC(a, SLICE_COLUMNS), { name: AGGREGATE_SLICES, create: false })
  const run = async (q: Query): Promise<Row[]> => {
    const n = await native.run(q)
    expect(await wasm.run(q)).toEqual(n)
    return n
  }
  return { run, native }
}

/** Rows with ratios rounded (a sum over visits and an average differ in the last bits). */
const round = (rows: Row[]) =>
  rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e9) / 1e9 : v]),
    ),
  )

/** Asserts every overview figure of `range` from `split` equals the raw answer (under `filters`: a slice's). */
async function expectSame(run: (q: Query) => Promise<Row[]>, range: Range, split: Split, exactVisitors = true, filters: Filter[] = []) {
  const o = { filters }
  // Unique visitors of the KPIs: exact for one day, the sketch over several (exact for sets this small);
  // under a filter the sum of each day's exact visitors (warehouse/sql/aggregates.ts).
  const [raw] = await run(kpis(range, o))
  const [agg] = await run(kpisSplit(split, o))
  // A split's raw part adds its visitors to the sketch's: the shop's u3, on both sides, then counts twice.
  const keys = [
    'visits',
    'pageviews',
    'views_per_visit',
    'bounce_rate',
    'visit_duration_ms',
    ...(exactVisitors || (!split.raw.length && !filters.length) ? ['visitors'] : []),
  ]
  const what = filters.map((f) => `${f.dim}=${f.value}`).join() || 'unfiltered'
  expect(round([pick(agg!, keys)]), what).toEqual(round([pick(raw!, keys)]))
  // Breakdown visitors over several days are the sum of each day's: a visit across midnight counts on both.
  const visitors = (rows: Row[]) =>
    exactVisitors ? rows : rows.map(({ visitors: _, ...r }) => r).sort((a, b) => String(a.value).localeCompare(String(b.value)))
  for (const dim of [...EVENT_DIMS, 'path'] as const) {
    const p = dim === 'path' ? { ...o, type: 'pageview' as const } : o
    expect(visitors(await run(breakdownSplit(split, dim, p))), `${what}: ${dim}`).toEqual(visitors(await run(breakdown(range, dim, p))))
  }
  for (const f of VISIT_DIMS)
    expect(visitors(round(await run(sessionBreakdownSplit(split, f, o)))), `${what}: ${f}`).toEqual(
      visitors(round(await run(sessionBreakdown(range, f, o)))),
    )
  expect(await run(customEventsSplit(split, o)), what).toEqual(await run(customEvents(range, o)))
  for (const [name, key] of [
    ['purchase', 'currency'],
    ['purchase', 'coupon'],
    ['add_to_cart', 'size'],
    ['order', 'total'],
  ]) {
    expect(await run(eventPropsSplit(split, name!, key!, o)), `${what}: ${name}.${key}`).toEqual(
      await run(eventProps(range, name!, key!, o)),
    )
    expect(await run(propKeysSplit(split, name!, o)), what).toEqual(await run(propKeys(range, name!, o)))
  }
  return { raw: raw!, agg: agg! }
}

/**
 * `expectSame` under a filter on each slice dimension (`dims`), for the `values` most frequent values of
 * each in the range (and one no event has, for the first): each answered from the slices as the raw events answer it.
 */
async function expectSameFiltered(
  run: (q: Query) => Promise<Row[]>,
  range: Range,
  split: Split,
  exactVisitors = true,
  dims: readonly (typeof SLICE_DIMS)[number][] = SLICE_DIMS,
  values = 2,
) {
  let compared = 0
  for (const dim of dims) {
    const top = (await run(breakdown(range, dim, { limit: values + 1 }))).filter((r) => r.value !== null).slice(0, values)
    // (A value no event has, once: a slice without rows counts zeros, not NULLs.)
    for (const v of [...top.map((r) => r.value), ...(dim === dims[0] ? ['no-such-value'] : [])]) {
      await expectSame(run, range, split, exactVisitors, [{ dim, op: 'is', value: String(v) }])
      compared++
    }
  }
  return compared
}
/** A visitor id as the edge makes them: 32 hex digits of a hash. */
const hashId = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32)
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
    // Under a filter on each slice dimension, from that dimension's slices.
    expect(await expectSameFiltered(run, DAY_D, { agg: DAY_D, raw: [] }, true, SLICE_DIMS, 1)).toBeGreaterThan(SLICE_DIMS.length)
    const [de] = await run(kpisSplit({ agg: DAY_D, raw: [] }, { filters: [{ dim: 'country', op: 'is', value: 'DE' }] }))
    expect(pick(de!, ['visitors', 'visits'])).toEqual({ visitors: 2, visits: 2 }) // u1 and u3, one visit each
    // Two days: the sketch of small sets counts exactly; one part aggregated and one raw adds up the same.
    // (The shop's u3 keeps one id over two days, which real ids do not: breakdowns count them on each.)
    const two = { from: at(-1, 0), to: DAY_D.to }
    await expectSame(run, two, { agg: two, raw: [] }, false)
    await expectSame(run, two, { agg: { from: at(-1, 0), to: at(0, 0) - 1 }, raw: [DAY_D] }, false)
    await expectSameFiltered(
      run,
      two,
      { agg: { from: at(-1, 0), to: at(0, 0) - 1 }, raw: [DAY_D] },
      false,
      ['path', 'country', 'channel'],
      1,
    )
    // A second run finds the days fresh.
    expect((await aggregateDay(bucket, 'demo', '2026-01-10', { now: NOW })).status).toBe('fresh')
  })
})

const V = (id: string, over: Partial<EventRow> = {}): Partial<EventRow> => ({
  visitor_id: id,
  country: 'DE',
  device_type: 'desktop',
  browser: 'Chrome',
  os: 'Linux',
  channel: 'direct',
  ...over,
})
let n = 0
const ev = (who: Partial<EventRow>, t: number, type: EventRow['type'] = 'pageview', path = '/', over: Partial<EventRow> = {}) =>
  eventRow({
    event_id: `x${String(++n).padStart(4, '0')}`,
    type,
    event_time: t,
    client_time: t,
    received_time: t,
    path,
    url: `https://s.example${path}`,
    ...who,
    ...over,
  })

describe('aggregates at the edges', () => {
  it('a session across midnight and the salt rotation count once, in the day they start', async () => {
    const a = 'a'.repeat(32),
      b = 'b'.repeat(32)
    const rows = [
      ev(V(a), at(0, 23, 40)),
      ev(V(a), at(0, 23, 50), 'pageview', '/shoes'),
      // After midnight the same person has a new id, with yesterday's as visitor_id_prev.
      ev(V(b, { visitor_id_prev: a }), at(1, 0, 10), 'pageview', '/cart'),
      ev(V(b), at(1, 0, 30), 'event', '/cart', { name: 'order', props: { total: 5 } }),
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
    // A visit across midnight is in the slice of a value its next day's events carry (/cart), in the day it began.
    for (const r of [d0, d1]) await expectSameFiltered(run, r, { agg: r, raw: [] }, true, ['path'], 3)
    const [cart] = await run(kpisSplit({ agg: d0, raw: [] }, { filters: [{ dim: 'path', op: 'is', value: '/cart' }] }))
    expect(pick(cart!, ['visits', 'pageviews'])).toEqual({ visits: 1, pageviews: 0 })
  })

  it('a visit of 26 hours is followed past the day after it, as the SQL library builds it', async () => {
    const bucket = await lakeOf(longVisit())
    for (const d of ['2026-01-10', '2026-01-11', '2026-01-12'])
      expect((await aggregateDay(bucket, 'demo', d, { now: NOW })).status).toBe('built')
    const { run } = await engines(bucket)
    const d0 = { from: at(0, 0), to: at(1, 0) - 1 }
    const { agg } = await expectSame(run, d0, { agg: d0, raw: [] })
    expect(pick(agg, ['visitors', 'visits', 'pageviews', 'visit_duration_ms'])).toEqual({
      visitors: 1,
      visits: 1,
      pageviews: 6,
      visit_duration_ms: LONG_VISIT_MS,
    })
    const d1 = { from: at(1, 0), to: at(2, 0) - 1 }
    expect(pick((await expectSame(run, d1, { agg: d1, raw: [] })).agg, ['visits', 'pageviews'])).toEqual({ visits: 0, pageviews: 72 })
    await expectSameFiltered(run, d0, { agg: d0, raw: [] }, true, ['path'], 2)
  })

  it("the bounce rule's corners count the same bounces as the raw events", async () => {
    const bucket = await lakeOf(bounceCorners())
    expect((await aggregateDay(bucket, 'demo', '2026-01-10', { now: NOW })).status).toBe('built')
    const { run } = await engines(bucket)
    const { agg } = await expectSame(run, DAY_D, { agg: DAY_D, raw: [] })
    expect(pick(agg, ['visits', 'bounce_rate'])).toEqual({ visits: 7, bounce_rate: 3 / 7 })
    await expectSameFiltered(run, DAY_D, { agg: DAY_D, raw: [] }, true, ['path'], 3)
  })

  it('a late event into a closed day rebuilds its aggregate', async () => {
    const rows = [ev(V('d'.repeat(32)), at(0, 10)), ev(V('d'.repeat(32)), at(0, 10, 5), 'pageview', '/x')]
    const bucket = await lakeOf([rows])
    expect((await aggregateDay(bucket, 'demo', '2026-01-10', { now: NOW })).status).toBe('built')
    await lakeOf([[ev(V('e'.repeat(32)), at(0, 15), 'pageview', '/late')]], bucket)
    const rebuilt = await aggregateDay(bucket, 'demo', '2026-01-10', { now: NOW })
    expect(rebuilt.status).toBe('built')
    // The rebuilt day is a new key (readers cache lake files for good), with its slices; the earlier ones are gone.
    expect(aggregateKeys(bucket)).toEqual([rebuilt.key])
    expect([...bucket.objects.keys()].filter((k) => parseSliceKey(k)).sort()).toEqual(
      SLICE_DIMS.map((d) => sliceKey(rebuilt.key!, d)).sort(),
    )
    const { run } = await engines(bucket)
    const { agg } = await expectSame(run, DAY_D, { agg: DAY_D, raw: [] })
    expect(pick(agg, ['visitors', 'pageviews'])).toEqual({ visitors: 2, pageviews: 3 })
    await expectSameFiltered(run, DAY_D, { agg: DAY_D, raw: [] }, true, ['path'], 3)
    // A day aggregated before slices existed (its slice files missing) gains them, its own rows kept.
    const base = bucket.objects.get(rebuilt.key!)!.body
    for (const d of SLICE_DIMS.slice(3)) bucket.objects.delete(sliceKey(rebuilt.key!, d))
    const again = await aggregateDay(bucket, 'demo', '2026-01-10', { now: NOW })
    expect([again.status, again.key, again.slices]).toEqual(['fresh', rebuilt.key, SLICE_DIMS.length - 3])
    expect(bucket.objects.get(rebuilt.key!)!.body).toBe(base)
    expect([...bucket.objects.keys()].filter((k) => parseSliceKey(k)).length).toBe(SLICE_DIMS.length)
  })

  it('waits for the days it needs to close', async () => {
    const bucket = await lakeOf([[ev(V('f'.repeat(32)), at(0, 10))]], new MemoryBucket(), at(0, 12))
    expect((await aggregateDay(bucket, 'demo', '2026-01-10', { now: at(0, 12) })).status).toBe('waiting')
    expect((await aggregateDay(bucket, 'demo', '2026-01-10', { now: at(1, 1) })).status).toBe('waiting')
  })

  for (const [tz, date] of [
    ['Asia/Kathmandu', '2026-01-10'],
    ['Asia/Kolkata', '2026-01-10'],
    ['America/New_York', '2026-03-08'],
    ['America/New_York', '2026-11-01'],
  ] as const) {
    it(`a site in ${tz}: local day ${date} (${localDay(date, tz).to + 1 - localDay(date, tz).from} ms) equals the raw events of its UTC range`, async () => {
      const day = localDay(date, tz)
      const rows: EventRow[] = []
      // Events every 37 minutes from a day before to a day after, a new visitor each 3 hours.
      for (let i = 0, t = day.from - 86_400_000; t < day.to + 86_400_000; i++, t += 37 * 60_000) {
        const who = String(Math.floor(t / 10_800_000) % 97).padStart(32, '0')
        rows.push(
          ev(
            V(who, { country: i % 2 ? 'DE' : 'NP' }),
            t,
            i % 3 ? 'pageview' : 'event',
            `/p${i % 5}`,
            i % 3 ? {} : { name: 'order', props: { total: i % 7 } },
          ),
        )
      }
      const bucket = await lakeOf([rows])
      expect((await aggregateDay(bucket, 'demo', date, { now: NOW, tz })).status).toBe('built')
      const { run } = await engines(bucket)
      const { agg } = await expectSame(run, day, { agg: day, raw: [] })
      expect(agg.pageviews).toBeGreaterThan(0)
      await expectSameFiltered(run, day, { agg: day, raw: [] }, true, ['country', 'path'], 1)
    })
  }
})

describe('aggregate coverage', () => {
  it('a day without events after the first aggregated day gets an empty aggregate, none before it', async () => {
    const bucket = await lakeOf([[ev(V('9'.repeat(32)), at(0, 10)), ev(V('9'.repeat(32)), at(2, 10))]])
    const status = []
    for (const d of ['2026-01-09', '2026-01-10', '2026-01-11', '2026-01-12'])
      status.push((await aggregateDay(bucket, 'demo', d, { now: NOW })).status)
    expect(status).toEqual(['empty', 'built', 'built', 'built'])
    const { run } = await engines(bucket)
    const d1 = { from: at(1, 0), to: at(2, 0) - 1 }
    const [k] = await run(kpisSplit({ agg: d1, raw: [] }))
    expect(pick(k!, ['visitors', 'visits', 'pageviews'])).toEqual({ visitors: 0, visits: 0, pageviews: 0 })
  })

  it('a lake older than the tier gains its aggregates oldest first, a few days a cron run', async () => {
    // Five days of events, compacted long ago; the cron's recent days (7 before NOW) hold none of them.
    const bucket = await lakeOf([[0, 1, 2, 3, 4].map((d) => ev(V('8'.repeat(32)), at(d, 10)))])
    const built = () =>
      aggregateKeys(bucket)
        .map((k) => parseAggregateKey(k)!.date)
        .sort()
    expect(await unaggregatedDates(bucket, 'demo', 'UTC', '2027-05-25')).toEqual(
      datesBetween(new Date(at(0, 0)), new Date(Date.UTC(2027, 4, 24))),
    )
    expect((await aggregateLake(bucket, ['demo'], { now: NOW, backfill: 2 })).failed).toEqual([])
    expect(built()).toEqual(['2026-01-10', '2026-01-11'])
    await aggregateLake(bucket, ['demo'], { now: NOW, backfill: 2 })
    expect(built()).toEqual(['2026-01-10', '2026-01-11', '2026-01-12', '2026-01-13'])
    // Each aggregated day answers as the raw events do.
    const { run } = await engines(bucket)
    await expectSame(run, { from: at(0, 0), to: at(4, 0) - 1 }, { agg: { from: at(0, 0), to: at(4, 0) - 1 }, raw: [] }, false)
  })

  it("slices follow within a run's budget of events, newest days first, until every day has them", async () => {
    const bucket = await lakeOf([[0, 1, 2].map((d) => ev(V('7'.repeat(32)), at(d, 10)))])
    const now = at(5, 12)
    const slices = () => [...bucket.objects.keys()].filter((k) => parseSliceKey(k)).length
    // A budget of one event: each run does one slice pass (the first day's), after the days' own.
    expect((await aggregateLake(bucket, ['demo'], { now, sliceEvents: 1 })).failed).toEqual([])
    expect(aggregateKeys(bucket).map((k) => parseAggregateKey(k)!.date)).toEqual(datesBetween(new Date(at(0, 0)), new Date(at(4, 0))))
    expect(slices()).toBe(1)
    expect(await unslicedDates(bucket, 'demo', 'UTC')).toEqual(['2026-01-14', '2026-01-13', '2026-01-12', '2026-01-11', '2026-01-10'])
    await aggregateLake(bucket, ['demo'], { now, sliceEvents: 1 })
    expect(slices()).toBe(2)
    // With the default budget (a day of 1M events) the rest in one run; the days' files are kept.
    const before = aggregateKeys(bucket)
    await aggregateLake(bucket, ['demo'], { now })
    expect(slices()).toBe(5 * SLICE_DIMS.length)
    expect(aggregateKeys(bucket)).toEqual(before)
    expect(await unslicedDates(bucket, 'demo', 'UTC')).toEqual([])
  })

  it('a closed month becomes one file, listed for its days while their files are current', async () => {
    // Days 0..50 (2026-01-10 to 2026-03-01), two of four visitors a day (ids like the edge's keyed hashes, which
    // the sketch takes its bits from), compacted as the cron leaves them.
    const bucket = new MemoryBucket()
    for (let c = 0; c < 51; c += 15) {
      const rows = []
      for (let d = c; d < Math.min(c + 15, 51); d++)
        rows.push(
          ev(V(hashId(`v${d % 3}`)), at(d, 10)),
          ev(V(hashId('w'), { country: d % 2 ? 'FR' : 'DE' }), at(d, 11), 'pageview', `/p${d % 4}`),
        )
      await lakeOf([rows], bucket)
    }
    for (const date of datesBetween(new Date(at(0, 0)), new Date(at(50, 0))))
      expect((await aggregateDay(bucket, 'demo', date, { now: NOW })).status).toBe('built')
    const march2 = Date.UTC(2026, 2, 2, 12)
    const written = await aggregateMonths(bucket, 'demo', { now: march2, tz: 'UTC', missing: [] })
    expect(written.map((k) => parseMonthAggregateKey(k)!.month)).toEqual(['2026-01', '2026-02'])
    // A second run changes nothing.
    expect(await aggregateMonths(bucket, 'demo', { now: march2, tz: 'UTC', missing: [] })).toEqual([])
    const current = async () => currentAggregates(await listAll(bucket, 'aggregates/site=demo/'), 'UTC')
    let days = await current()
    expect(days.length).toBe(51)
    expect(new Set(days.map((d) => d.key)).size).toBe(3) // January, February, March 1st's own
    expect(days.filter((d) => d.date.startsWith('2026-02')).every((d) => d.key === written[1])).toBe(true)
    // The month files answer as the raw events do.
    const range = { from: at(0, 0), to: Date.UTC(2026, 2, 1) - 1 }
    // Each month has its days' slices in one file per dimension, listed with it.
    expect(days.filter((d) => d.key === written[0]).every((d) => Object.keys(d.slices).length === SLICE_DIMS.length)).toBe(true)
    expect(days[0]!.slices.country!.key).toBe(sliceKey(written[0]!, 'country'))
    let { run } = await engines(bucket, [...new Set(days.map((d) => d.key))])
    const byMonths = await expectSame(run, range, { agg: range, raw: [] }, false)
    await expectSameFiltered(run, range, { agg: range, raw: [] }, false, ['country'], 1)
    // Unique visitors from the months' merged sketches: the same estimate as from the 50 days' sketches.
    const dayKeys = [...bucket.objects.keys()].filter((k) => parseAggregateKey(k))
    const [byDays] = await (await engines(bucket, dayKeys)).run(kpisSplit({ agg: range, raw: [] }))
    expect(byMonths.agg.visitors).toBe(byDays!.visitors)
    const month = (await parquetReadObjects({ file: bucket.objects.get(written[0]!)!.body })).filter((r) => r.dim === 'month')
    expect(month).toHaveLength(1)
    expect([Number(month[0]!.day), Number(month[0]!.t)]).toEqual([at(0, 0), Date.UTC(2026, 0, 31)])
    // A late event rebuilds 2026-02-03: February is read from its day files until its month file is written again.
    await lakeOf([[ev(V('5'.repeat(32)), Date.UTC(2026, 1, 3, 9), 'pageview', '/late')]], bucket)
    expect((await aggregateDay(bucket, 'demo', '2026-02-03', { now: NOW })).status).toBe('built')
    days = await current()
    expect(days.filter((d) => d.date.startsWith('2026-02')).every((d) => parseAggregateKey(d.key)?.date === d.date)).toBe(true)
    expect(days.filter((d) => d.date.startsWith('2026-01')).every((d) => d.key === written[0])).toBe(true)
    const again = await aggregateMonths(bucket, 'demo', { now: march2, tz: 'UTC', missing: [] })
    expect(again.map((k) => parseMonthAggregateKey(k)!.month)).toEqual(['2026-02'])
    // The earlier February file is gone with its slices; the new one has its own.
    expect([...bucket.objects.keys()].filter((k) => k.includes('/month=2026-02/')).sort()).toEqual(
      [...again, ...SLICE_DIMS.map((d) => sliceKey(again[0]!, d))].sort(),
    )
    days = await current()
    ;({ run } = await engines(bucket, [...new Set(days.map((d) => d.key))]))
    const { agg } = await expectSame(run, range, { agg: range, raw: [] }, false)
    await expectSameFiltered(run, range, { agg: range, raw: [] }, false, ['path'], 1)
    expect(agg).toMatchObject({ pageviews: 50 * 2 + 1, visitors: 5 })
  })

  it('a month with a day not aggregated yet waits', async () => {
    const bucket = await lakeOf([[ev(V('4'.repeat(32)), at(0, 10))]])
    await lakeOf([[ev(V('4'.repeat(32)), at(25, 10))]], bucket)
    for (const date of datesBetween(new Date(at(0, 0)), new Date(at(25, 0)))) await aggregateDay(bucket, 'demo', date, { now: NOW })
    // January is whole; February 1st-4th only: February waits, as does a month some day of which is missing.
    expect(
      (await aggregateMonths(bucket, 'demo', { now: NOW, tz: 'UTC', missing: [] })).map((k) => parseMonthAggregateKey(k)!.month),
    ).toEqual(['2026-01'])
    const other = await lakeOf([[ev(V('4'.repeat(32)), at(0, 10))]])
    for (const date of datesBetween(new Date(at(0, 0)), new Date(at(21, 0)))) await aggregateDay(other, 'demo', date, { now: NOW })
    expect(await aggregateMonths(other, 'demo', { now: NOW, tz: 'UTC', missing: ['2026-01-20'] })).toEqual([])
  })

  it('splits a range into the run of aggregated days inside it and the rest', async () => {
    const { splitRange } = await import('../sql/aggregates.ts')
    const day = (d: number) => ({ from: at(d, 0), to: at(d + 1, 0) - 1 })
    // A rolling range from 10:00 on day 0 to day 4, days 1..2 aggregated (day 4 open, day 3 not yet built).
    const range = { from: at(0, 10), to: at(4, 12) }
    expect(splitRange(range, [day(0), day(1), day(2)])).toEqual({
      agg: { from: at(1, 0), to: at(3, 0) - 1 },
      raw: [
        { from: at(0, 10), to: at(1, 0) - 1 },
        { from: at(3, 0), to: at(4, 12) },
      ],
    })
    expect(splitRange(range, [])).toEqual({ agg: null, raw: [range] })
    // A gap ends the run: what follows it is read raw.
    expect(splitRange(range, [day(1), day(3)]).agg).toEqual(day(1))
  })
})

describe('the time series in a site time zone', () => {
  // Ten local days around a DST change (Berlin: 23 hours on 2026-03-29; New York: 25 on 2026-11-01) and a
  // +05:45 site; all but the last day aggregated, the last read raw, as the dashboard splits a range.
  for (const [tz, first] of [
    ['Europe/Berlin', '2026-03-24'],
    ['America/New_York', '2026-10-27'],
    ['Asia/Kathmandu', '2026-01-05'],
  ] as const) {
    it(`${tz}: every bucket (hour, day, week) equals the raw events bucketed on local time by native DuckDB`, async () => {
      const dates = Array.from({ length: 10 }, (_, i) => addDays(first, i))
      const range = { from: localDay(dates[0]!, tz).from, to: localDay(dates[9]!, tz).to }
      const rows: EventRow[] = []
      for (let i = 0, t = range.from - 86_400_000; t < range.to + 86_400_000; i++, t += 23 * 60_000) {
        rows.push(ev(V(String(Math.floor(t / 7_200_000) % 89).padStart(32, '0')), t, i % 4 ? 'pageview' : 'event', `/p${i % 3}`))
      }
      const bucket = await lakeOf([rows], new MemoryBucket(), range.to + 3 * 86_400_000)
      for (const d of dates.slice(0, 9)) expect((await aggregateDay(bucket, 'demo', d, { now: NOW, tz })).status, d).toBe('built')
      const { run, native } = await engines(bucket)
      await native.conn.run(`SET TimeZone = 'UTC'`)
      const split = { agg: { from: range.from, to: localDay(dates[8]!, tz).to }, raw: [localDay(dates[9]!, tz)] }
      for (const b of ['hour', 'day', 'week'] as Bucket[]) {
        const shown = (q: Query) =>
          run(sql`SELECT strftime(t, '%Y-%m-%d %H:%M') AS t, pageviews::INTEGER AS n FROM (${q}) WHERE pageviews > 0 ORDER BY 1`)
        const want =
          await native.run(sql`SELECT strftime(time_bucket(INTERVAL ${trusted(`'1 ${b}'`)}, timezone(${tz}, event_time::TIMESTAMPTZ)), '%Y-%m-%d %H:%M') AS t, count(*)::INTEGER AS n
FROM events WHERE type = 'pageview' AND NOT is_bot AND event_time BETWEEN make_timestamp(${range.from * 1000}) AND make_timestamp(${range.to * 1000}) GROUP BY 1 ORDER BY 1`)
        expect(want.length, b).toBeGreaterThan(b === 'week' ? 1 : 9)
        const scope = { range, filters: [], bots: false, tz }
        expect(await shown(series({ ...scope, split }, b)), `${b}, aggregated + raw`).toEqual(want)
        expect(await shown(series(scope, b)), `${b}, raw`).toEqual(want)
      }
      // Every KPI's series, aggregated + raw, equals the raw one bucket for bucket (both engines); unique
      // visitors per day only, the tier's grain (NULL in other buckets over aggregated days).
      const scope = { range, filters: [], bots: false, tz }
      // (Pageviews by every bucket above; hours and days of the others: the quarter rows map to buckets alike.)
      for (const m of SERIES_METRICS.filter((x) => x !== 'pageviews')) {
        for (const b of (m === 'visitors' ? ['hour', 'day', 'week'] : ['hour', 'day']) as Bucket[]) {
          const shown = (q: Query) =>
            run(sql`SELECT strftime(t, '%Y-%m-%d %H:%M') AS t, round(${trusted(m)}::DOUBLE, 6) AS v FROM (${q}) ORDER BY 1`)
          const raw = await shown(series(scope, b, m))
          // (No visit here bounces: a rate of 0 is a value too.)
          expect(
            raw.some((r) => r.v !== null && (m === 'bounce_rate' || Number(r.v) > 0)),
            `${m} by ${b}`,
          ).toBe(true)
          const agg = await shown(series({ ...scope, split }, b, m))
          if (m === 'visitors' && b !== 'day')
            expect(
              agg.every((r) => r.v === null),
              `${m} by ${b}`,
            ).toBe(true)
          else expect(agg, `${m} by ${b}, aggregated + raw`).toEqual(raw)
        }
      }
      // Every bucket of the range is drawn, zeros included: a DST day is one day, 23 or 25 hours long.
      const days = await run(
        sql`SELECT strftime(t, '%Y-%m-%d') AS d FROM (${series({ range, filters: [], bots: false, tz, split }, 'day')})`,
      )
      expect(days.map((r) => r.d)).toEqual(dates)
    }, 180_000) // every KPI's series on both engines: about 40 queries
  }
})
