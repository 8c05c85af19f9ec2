// The CLI as a user runs it (node cli/footfall.mjs, a child process) over a lake of Parquet files on disk
// in the bucket's Hive layout: the shop of warehouse/testing/shop.ts, whose numbers are counted by hand.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { beforeAll, describe, expect, it } from 'vitest'
import { writeEvents } from '../warehouse/parquet.ts'
import { writeRollup } from '../warehouse/rollup.ts'
import type { EventRow } from '../warehouse/schema.ts'
import { shopFiles } from '../warehouse/testing/shop.ts'
import { LONG_VISIT_MS, longVisit } from '../warehouse/testing/journeys.ts'
import { aggregateDay } from '../warehouse/aggregate/job.ts'
import { compactLake } from '../warehouse/compact.ts'
import { encodeMeta, partitionOf, partKey, partName } from '../warehouse/lake.ts'
import { timeRange } from '../warehouse/parquet.ts'
import { SCHEMA_VERSION } from '../warehouse/schema.ts'
import { MemoryBucket } from '../warehouse/testing/bucket.ts'

const exec = promisify(execFile)
let dir: string
const cli = (...args: string[]) => exec(process.execPath, ['cli/footfall.mjs', ...args], { maxBuffer: 1 << 24 })

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'footfall-cli-'))
  const [prev, morning, noon] = shopFiles()
  const parts: [string, EventRow[]][] = [
    ['events/site=demo/date=2026-01-09/hour=08/a.parquet', prev!],
    ['events/site=demo/date=2026-01-10/hour=09/b.parquet', morning!],
    ['events/site=demo/date=2026-01-10/hour=12/c.parquet', noon!],
    ['events/site=demo/date=2026-01-10/hour=12/d.parquet', noon!.slice(0, 2)], // a redelivered part: duplicates
  ]
  for (const [key, rows] of parts) {
    await mkdir(join(dir, key, '..'), { recursive: true })
    await writeFile(join(dir, key), new Uint8Array(writeEvents(rows)))
  }
  // A copy of the bucket holds pageview rollups too (warehouse/rollup.ts): another schema, never read as events.
  const rollup = 'rollups/site=demo/date=2026-01-10/00-23-x.parquet'
  await mkdir(join(dir, rollup, '..'), { recursive: true })
  await writeFile(join(dir, rollup), new Uint8Array(writeRollup(['pageview'], [Date.UTC(2026, 0, 10, 9)], [false])))
}, 60_000)

describe('footfall CLI', () => {
  it('query: any SQL over the deduplicated events view', async () => {
    const { stdout } = await cli(
      'query',
      'SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type',
      '--dir',
      dir,
      '--format',
      'csv',
    )
    expect(stdout.trim().split('\n')).toEqual(['type,n', 'engagement,2', 'event,3', 'identify,4', 'pageview,12'])
  }, 60_000)

  it('report: KPIs with the previous period and breakdowns', async () => {
    const { stdout } = await cli('report', '--dir', dir, '--site', 'demo', '--from', '2026-01-10', '--to', '2026-01-10', '--format', 'json')
    const r = JSON.parse(stdout)
    expect(r.kpis).toEqual([
      {
        visitors: 4,
        visits: 5,
        pageviews: 9,
        views_per_visit: 1.8,
        bounce_rate: 0.4,
        visit_duration_ms: 588_000,
        prev_visitors: 2,
        prev_visits: 2,
        prev_pageviews: 2,
        prev_views_per_visit: 1,
        prev_bounce_rate: 0,
        prev_visit_duration_ms: 300_000,
      },
    ])
    expect(r.top_pages.map((p: { value: string }) => p.value)).toEqual(['/', '/shoes', '/cart', '/socks'])
    expect(r.countries.map((c: { value: string; visitors: number }) => [c.value, c.visitors])).toEqual([
      ['DE', 2],
      ['FR', 1],
      ['US', 1],
    ])
    const text = (
      await cli('report', '--dir', dir, '--site', 'demo', '--from', '2026-01-10', '--to', '2026-01-10', '--filter', 'country=DE')
    ).stdout
    expect(text).toMatch(/^visitors\s+2\s+/m)
  }, 60_000)

  it('report: whole days from the aggregates of a bucket copy, the same numbers as --exact from raw events', async () => {
    // The shop's parts compacted and aggregated as the cron leaves them, copied to a directory.
    const bucket = new MemoryBucket()
    const [prev, morning, noon] = shopFiles()
    for (const rows of [prev!, morning!, noon!]) {
      const key = partKey(partitionOf('demo', rows[0]!.event_time), await partName(rows.map((r) => r.event_id)))
      await bucket.put(key, writeEvents(rows), {
        customMetadata: encodeMeta({ rows: rows.length, ...timeRange(rows), schema: SCHEMA_VERSION }),
      })
    }
    const now = Date.UTC(2026, 0, 13)
    await compactLake(bucket, { now, days: 5, settledAt: Date.now() + 1000 })
    for (const d of ['2026-01-09', '2026-01-10']) expect((await aggregateDay(bucket, 'demo', d, { now })).status).toBe('built')
    const copy = await mkdtemp(join(tmpdir(), 'footfall-cli-agg-'))
    for (const [key, o] of bucket.objects) {
      await mkdir(join(copy, key, '..'), { recursive: true })
      await writeFile(join(copy, key), new Uint8Array(o.body))
    }
    const args = ['report', '--dir', copy, '--site', 'demo', '--from', '2026-01-10', '--to', '2026-01-10', '--format', 'json']
    const fromAggregates = await cli(...args)
    expect(fromAggregates.stderr).toMatch(/2 aggregated day\(s\) available; raw events for 0 part/)
    const exact = await cli(...args, '--exact')
    expect(exact.stderr).not.toMatch(/aggregated/)
    const a = JSON.parse(fromAggregates.stdout),
      e = JSON.parse(exact.stdout)
    // The same figures (ratios to the last bits: a sum over visits against an average).
    const round = (x: unknown) => JSON.parse(JSON.stringify(x), (_, v) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v))
    expect(round(a)).toEqual(round(e))
    expect(a.kpis[0]).toMatchObject({ visitors: 4, visits: 5, pageviews: 9, prev_visitors: 2 })
  }, 60_000)

  it('export: csv and parquet, one row per event, bots left out', async () => {
    const csv = join(dir, 'out.csv'),
      pq = join(dir, 'out.parquet')
    await cli('export', '--dir', dir, '--format', 'csv', '--out', csv, '--from', '2026-01-10', '--to', '2026-01-10')
    const lines = (await readFile(csv, 'utf8')).trim().split('\n')
    expect(lines).toHaveLength(1 + 17) // D: 14 morning rows - 1 bot + 4 noon rows
    expect(lines[0]!.split(',').slice(0, 3)).toEqual(['event_id', 'site', 'type'])
    await cli('export', '--dir', dir, '--format', 'parquet', '--out', pq)
    const file = (await readFile(pq)).buffer as ArrayBuffer
    expect(Number(parquetMetadata(file).num_rows)).toBe(20)
    const rows = await parquetReadObjects({ file, columns: ['event_id'] })
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(20)
  }, 60_000)

  it('report: a visit of 26 hours has the same duration from raw events and from the aggregates', async () => {
    const bucket = new MemoryBucket()
    for (const rows of longVisit()) {
      const key = partKey(partitionOf('demo', rows[0]!.event_time), await partName(rows.map((r) => r.event_id)))
      await bucket.put(key, writeEvents(rows), {
        customMetadata: encodeMeta({ rows: rows.length, ...timeRange(rows), schema: SCHEMA_VERSION }),
      })
    }
    const now = Date.UTC(2026, 0, 15)
    await compactLake(bucket, { now, days: 6, settledAt: Date.now() + 1000 })
    for (const d of ['2026-01-09', '2026-01-10', '2026-01-11']) await aggregateDay(bucket, 'demo', d, { now })
    const copy = await mkdtemp(join(tmpdir(), 'footfall-cli-long-'))
    for (const [key, o] of bucket.objects) {
      await mkdir(join(copy, key, '..'), { recursive: true })
      await writeFile(join(copy, key), new Uint8Array(o.body))
    }
    const args = ['report', '--dir', copy, '--site', 'demo', '--from', '2026-01-10', '--to', '2026-01-10', '--format', 'json']
    for (const extra of [[], ['--exact']]) {
      const { kpis } = JSON.parse((await cli(...args, ...extra)).stdout)
      expect(kpis[0], extra.join(' ')).toMatchObject({ visitors: 1, visits: 1, pageviews: 6, visit_duration_ms: LONG_VISIT_MS })
    }
  }, 60_000)

  it('explains itself on bad input', async () => {
    await expect(cli('export', '--dir', dir, '--format', 'xml', '--out', 'x')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/csv or --format parquet/),
    })
    await expect(cli('report', '--dir', dir, '--from', '2026-01-10', '--to', '2026-01-10', '--filter', 'secret=1')).rejects.toMatchObject({
      stderr: expect.stringMatching(/unknown dimension/),
    })
    const { stdout } = await cli('--help')
    expect(stdout).toMatch(/footfall query/)
  }, 60_000)
})
