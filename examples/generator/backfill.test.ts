import { copyFile, mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DAY_FILE_ROWS } from '../../warehouse/compact.ts'
import { NativeLake } from '../../warehouse/native.ts'
import { firstOrders, orders } from '../../warehouse/sql/orders.ts'
import { backfill } from './backfill.ts'
import { dirSink, r2Sink } from './sink.ts'

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort()
}

/** Loads lake files into native DuckDB. Copied to flat names first: on a Hive path (site=/date=/hour=)
 * DuckDB adds those partition columns, which the events table does not have. */
async function load(paths: string[]): Promise<NativeLake> {
  const flat = await mkdtemp(join(tmpdir(), 'footfall-flat-'))
  const copies = await Promise.all(paths.map(async (p, i) => (await copyFile(p, join(flat, `${i}.parquet`)), join(flat, `${i}.parquet`))))
  const lake = await NativeLake.open()
  await lake.load(copies)
  return lake
}

// Each test writes and reads real files (and one starts workerd): seconds, more on a busy machine.
describe('backfill', { timeout: 60_000 }, () => {
  it('writes exactly the requested days and events as lake files native DuckDB reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'footfall-backfill-'))
    const r = await backfill({ sink: dirSink(dir), days: 3, eventsPerDay: 1500, end: '2026-01-15', seed: 't', quiet: true })
    expect(r).toMatchObject({ days: ['2026-01-13', '2026-01-14', '2026-01-15'], events: 4500 })
    const paths = await files(join(dir, 'events'))
    expect(paths).toHaveLength(r.files)
    // Each closed day's file has its pageview rollup beside it (rollups/<same path>), with the file's pageviews.
    const rollups = await files(join(dir, 'rollups'))
    expect(rollups.map((p) => relative(join(dir, 'rollups'), p))).toEqual(paths.map((p) => relative(join(dir, 'events'), p)))

    const lake = await load(paths)
    const perDay = await lake.run({
      sql: `SELECT strftime(event_time, '%Y-%m-%d') AS day, count(*) AS n, count(DISTINCT event_id) AS ids FROM events_raw GROUP BY day ORDER BY day`,
      params: [],
    })
    expect(perDay).toEqual([
      { day: '2026-01-13', n: 1500, ids: 1500 },
      { day: '2026-01-14', n: 1500, ids: 1500 },
      { day: '2026-01-15', n: 1500, ids: 1500 },
    ])
    // Closed days are written as the compactor leaves them: one day file each (1,500 rows), covering 00-23.
    // Every file holds only events of the hours its key names (what /api/files and pruning rely on).
    expect(paths.map((p) => relative(dir, p).replace(/backfill-\w+/, 'ID'))).toEqual(
      ['2026-01-13', '2026-01-14', '2026-01-15'].map((d) => `events/site=demo/date=${d}/00-23-ID.parquet`),
    )
    for (const p of paths) {
      const [, date, first, last] =
        relative(dir, p).match(/^events\/site=demo\/date=(\d{4}-\d\d-\d\d)\/(\d\d)-(\d\d)-[\w-]+\.parquet$/) ?? []
      expect(date, p).toBeDefined()
      const [range] = await lake.run({
        sql: `SELECT min(event_time)::VARCHAR AS lo, max(event_time)::VARCHAR AS hi FROM read_parquet(?, hive_partitioning = false)`,
        params: [p],
      })
      expect(String(range!.lo).slice(0, 13) >= `${date} ${first}`).toBe(true)
      expect(String(range!.hi).slice(0, 13) <= `${date} ${last}`).toBe(true)
      const rollup = join(dir, 'rollups', relative(join(dir, 'events'), p))
      const [pv] = await lake.run({
        sql: `SELECT count(*) FILTER (type = 'pageview') AS n FROM read_parquet(?, hive_partitioning = false)`,
        params: [p],
      })
      const [sum] = await lake.run({
        sql: `SELECT sum(pageviews)::INTEGER AS n FROM read_parquet(?, hive_partitioning = false)`,
        params: [rollup],
      })
      expect(sum!.n).toBe(pv!.n)
      expect(pv!.n).toBeGreaterThan(0)
    }
    const [mix] = await lake.run({
      sql: `SELECT count(DISTINCT country) AS countries, count(DISTINCT device_type) AS devices, count(*) FILTER (is_bot) AS bots,
              count(*) FILTER (name = 'order') AS orders, sum(revenue) AS revenue, count(DISTINCT channel) AS channels,
              count(DISTINCT user_id) AS users, count(DISTINCT visitor_id) AS visitors
            FROM events_raw`,
      params: [],
    })
    expect(mix!.countries).toBeGreaterThan(15)
    expect(mix!.devices).toBe(3)
    expect(mix!.bots).toBeGreaterThan(0)
    expect(mix!.orders).toBeGreaterThan(3)
    expect(mix!.revenue).toBeGreaterThan(0)
    expect(mix!.channels).toBe(6) // direct, search, social, referral, email, paid
    expect(mix!.users).toBeGreaterThan(5)
    expect(mix!.visitors).toBeGreaterThan(100)

    // Sessions by the dashboard's rule (a new one after 30 minutes without an event, per visitor id) are the
    // visits the model made: visits of one visitor never overlap or run together. A visit that crosses
    // midnight gets a second visitor id (the daily salt), so it counts twice: a handful.
    const [s] = await lake.run({
      sql: `WITH t AS (SELECT visitor_id, event_time, event_time - lag(event_time) OVER (PARTITION BY visitor_id ORDER BY event_time) AS gap FROM events_raw),
              per AS (SELECT visitor_id, count(*) FILTER (gap IS NULL OR gap > INTERVAL 30 MINUTE) AS sessions FROM t GROUP BY visitor_id)
            SELECT sum(sessions) AS sessions, count(*) FILTER (sessions > 1) AS returning FROM per`,
      params: [],
    })
    expect(Number(s!.sessions)).toBeGreaterThanOrEqual(r.visits)
    expect(Number(s!.sessions)).toBeLessThan(r.visits + 10)
    expect(Number(s!.returning)).toBeGreaterThan(5) // visitors with more than one visit in a day
  })

  it("as npm start's demo: customers log in on a visit without buying and buy on a later one, days later", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'footfall-backfill-'))
    await backfill({ sink: dirSink(dir), days: 15, eventsPerDay: 1500, end: '2026-01-15', seed: 'demo', quiet: true })
    const lake = await load(await files(join(dir, 'events')))
    const week = { from: Date.UTC(2026, 0, 9), to: Date.UTC(2026, 0, 16) - 1 }
    const journeys = await lake.run(firstOrders(week, { historyMs: 8 * 86_400_000 }))
    const later = journeys.filter((j) => (j.sessions_before as number) > 0)
    expect(journeys.length).toBeGreaterThan(10) // 18
    expect(later.length).toBeGreaterThanOrEqual(2) // 2 of 18 with this seed
    // Their earlier visits were on other days (a visitor id lasts one day: only the user id joins them).
    expect(later.some((j) => (j.until_ms as number) > 86_400_000)).toBe(true)
    expect(later.every((j) => String(j.person).startsWith('user:') && (j.prior_ms as number) > 0)).toBe(true)
    const [o] = await lake.run(orders(week, { historyMs: 8 * 86_400_000 }))
    expect(o!.median_sessions_before_first_order).toBeGreaterThanOrEqual(0)
    expect(o!.buyers).toBe(journeys.length)
  })

  it('is deterministic: the same seed writes the same bytes, another seed other ones', async () => {
    const run = async (seed: string) => {
      const dir = await mkdtemp(join(tmpdir(), 'footfall-backfill-'))
      await backfill({ sink: dirSink(dir), days: 2, eventsPerDay: 400, end: '2026-01-15', seed, quiet: true })
      const paths = await files(join(dir, 'events'))
      return Promise.all(paths.map(async (p) => [relative(dir, p), (await readFile(p)).toString('base64')]))
    }
    const a = await run('x')
    expect(await run('x')).toEqual(a)
    expect(await run('y')).not.toEqual(a)
  })

  it('cuts a closed day of more than DAY_FILE_ROWS events at hour boundaries, covering 00-23 together', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'footfall-backfill-'))
    await backfill({ sink: dirSink(dir), days: 1, eventsPerDay: DAY_FILE_ROWS + 10_000, end: '2026-01-15', seed: 't', quiet: true })
    const paths = await files(join(dir, 'events'))
    const spans = paths.map((p) =>
      relative(dir, p)
        .match(/\/(\d\d)-(\d\d)-[\w-]+\.parquet$/)!
        .slice(1)
        .map(Number),
    )
    expect(spans.length).toBe(2)
    expect(spans[0]![0]).toBe(0)
    expect(spans[1]![0]).toBe(spans[0]![1]! + 1)
    expect(spans[1]![1]).toBe(23)
    const lake = await load(paths)
    const counts = await Promise.all(
      paths.map(
        async (p) =>
          (await lake.run({ sql: 'SELECT count(*) AS n FROM read_parquet(?, hive_partitioning = false)', params: [p] }))[0]!.n as number,
      ),
    )
    expect(counts.every((n) => n <= DAY_FILE_ROWS)).toBe(true)
    expect(counts.reduce((a, b) => a + b)).toBe(DAY_FILE_ROWS + 10_000)
  })

  it('stops a day that has not ended at the present', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'footfall-backfill-'))
    const now = Date.UTC(2026, 0, 15, 9, 30)
    await backfill({ sink: dirSink(dir), days: 2, eventsPerDay: 300, now, seed: 't', quiet: true })
    const lake = await load(await files(join(dir, 'events')))
    const [r] = await lake.run({ sql: `SELECT count(*) AS n, epoch_ms(max(event_time)) AS last FROM events_raw`, params: [] })
    expect(r!.n).toBe(600)
    expect(r!.last).toBeLessThan(now)
  })

  it("writes into a local stack's R2 (Miniflare, the persist directory of wrangler dev) with the consumer's metadata", async () => {
    const state = await mkdtemp(join(tmpdir(), 'footfall-state-'))
    const sink = await r2Sink(state)
    try {
      expect(await sink.has('events/site=demo/')).toBe(false)
      const r = await backfill({ sink, days: 1, eventsPerDay: 200, end: '2026-01-15', seed: 't', quiet: true })
      expect(await sink.has('events/site=demo/date=2026-01-15/')).toBe(true)
      expect(r.files).toBe(1) // a closed day: one day file
    } finally {
      await sink.close()
    }
    const { Miniflare } = await import('miniflare')
    const mf = new Miniflare({ modules: true, script: 'export default {}', r2Buckets: ['footfall-lake'], r2Persist: join(state, 'v3/r2') })
    try {
      const list = await (await mf.getR2Bucket('footfall-lake')).list({ prefix: 'events/', include: ['customMetadata'] })
      const rows = list.objects.reduce((n, o) => n + Number(o.customMetadata?.rows), 0)
      expect(rows).toBe(200)
      expect(list.objects[0]!.customMetadata).toMatchObject({
        schema: '2',
        minTime: expect.stringMatching(/^\d+$/),
        maxTime: expect.stringMatching(/^\d+$/),
      })
    } finally {
      await mf.dispose()
    }
  })
})
