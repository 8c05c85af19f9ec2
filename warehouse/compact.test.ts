/**
 * Compaction at the size of a real day, in Node on an in-memory bucket, read back by native DuckDB: rows and
 * distinct event ids preserved, duplicates gone, day files cut at maxRows on hour boundaries, then idempotent.
 * (The crash-at-each-step tests run inside workerd on Miniflare's R2: edge/compact.test.ts.)
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync } from 'node:zlib'
import { parquetMetadata } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { compactDate } from './compact.ts'
import { encodeMeta, partitionOf, partKey, partName, visibleObjects } from './lake.ts'
import { NativeLake } from './native.ts'
import { timeRange, writeEvents } from './parquet.ts'
import { SCHEMA_VERSION } from './schema.ts'
import { MemoryBucket } from './testing/bucket.ts'
import { eventRow } from './testing/rows.ts'

const DAY = Date.UTC(2026, 4, 1)

describe('compactDate on a 30,000-event day', () => {
  it('keeps every event once, in hour-aligned files of about maxRows rows, read back by native DuckDB', { timeout: 60_000 }, async () => {
    const lake = new MemoryBucket()
    const events = Array.from({ length: 30_000 }, (_, i) =>
      eventRow({
        event_id: `e${i}`,
        event_time: DAY + Math.floor((i / 30_000) * 86_400_000),
        visitor_id: `v${i % 700}`,
        path: `/p${i % 40}`,
        country: ['DE', 'FR', 'US'][i % 3]!,
      }),
    )
    // 100-event batches; every 10th batch is redelivered inside the next one (duplicates across parts).
    let stored = 0
    for (let b = 0; b < 300; b++) {
      const batch = events.slice(b * 100, b * 100 + 100).concat(b % 10 === 1 ? events.slice((b - 1) * 100, (b - 1) * 100 + 20) : [])
      const byHour = new Map<string, typeof batch>()
      for (const e of batch) {
        const key = partitionOf('demo', e.event_time).hour
        byHour.set(key, [...(byHour.get(key) ?? []), e])
      }
      for (const rows of byHour.values()) {
        const p = partitionOf('demo', rows[0]!.event_time)
        await lake.put(partKey(p, await partName(rows.map((r) => r.event_id))), writeEvents(rows), {
          customMetadata: encodeMeta({ rows: rows.length, ...timeRange(rows), schema: SCHEMA_VERSION }),
        })
        stored += rows.length
      }
    }
    expect(stored).toBe(30_000 + 30 * 20)

    const result = await compactDate(lake, 'demo', '2026-05-01', { now: DAY + 2 * 86_400_000, settledAt: Date.now(), maxRows: 8_000 })
    expect(result.rows).toBe(30_000)
    // The events' files (each day file has a pageview rollup beside it under rollups/: rollup.test.ts).
    const keys = [...lake.objects.keys()].filter((k) => k.startsWith('events/'))
    expect(keys.every((k) => /\/date=2026-05-01\/\d\d-\d\d-[0-9a-f]{20}\.parquet$/.test(k))).toBe(true)
    // Hour-aligned files that tile the day: 00-.., ..-23, each at least maxRows rows but the last.
    const spans = keys.map((k) => /\/(\d\d)-(\d\d)-/.exec(k)!.slice(1).map(Number)).sort((a, b) => a[0]! - b[0]!)
    expect(spans[0]![0]).toBe(0)
    expect(spans.at(-1)![1]).toBe(23)
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBe(spans[i - 1]![1]! + 1)
    expect(spans.length).toBe(4) // 30,000 rows, 1,250 an hour: cut after 8,750, 17,500 and 26,250 rows

    const dir = await mkdtemp(join(tmpdir(), 'footfall-compact-'))
    const paths: string[] = []
    for (const [i, k] of keys.entries()) {
      paths.push(join(dir, `${i}.parquet`))
      await writeFile(paths.at(-1)!, new Uint8Array(await (await lake.get(k))!.arrayBuffer()))
    }
    const native = await NativeLake.open()
    await native.load(paths)
    const [agg] = await native.run({
      sql: `SELECT count(*) AS n, count(DISTINCT event_id) AS ids, count(DISTINCT visitor_id) AS visitors, min(event_time) AS t0 FROM events_raw`,
      params: [],
    })
    expect(agg).toEqual({ n: 30_000, ids: 30_000, visitors: 700, t0: new Date(DAY) })
    // Each file's R2 metadata (what /api/files answers) matches its content.
    for (const [i, k] of keys.entries()) {
      const [f] = await native.run({
        sql: `SELECT count(*) AS n, min(event_time) AS lo, max(event_time) AS hi FROM read_parquet(?)`,
        params: [paths[i]!],
      })
      const meta = lake.objects.get(k)!.customMetadata
      expect(f).toEqual({ n: Number(meta.rows), lo: new Date(Number(meta.minTime)), hi: new Date(Number(meta.maxTime)) })
    }

    const again = await compactDate(lake, 'demo', '2026-05-01', { now: DAY + 2 * 86_400_000, settledAt: Date.now(), maxRows: 8_000 })
    expect(again).toEqual({ written: [], deleted: [], rows: 0 })
    expect(visibleObjects([...lake.objects.entries()].map(([key, o]) => ({ key, ...o }))).hidden).toEqual([])
  })
})

describe('compactDate with another codec', () => {
  it('writes BROTLI merged files when asked, which native DuckDB reads', async () => {
    const lake = new MemoryBucket()
    for (let b = 0; b < 5; b++) {
      const rows = Array.from({ length: 50 }, (_, i) =>
        eventRow({ event_id: `z${b}-${i}`, event_time: DAY + 3_600_000 * 3 + b * 1000 + i }),
      )
      await lake.put(partKey(partitionOf('demo', rows[0]!.event_time), await partName(rows.map((r) => r.event_id))), writeEvents(rows), {
        customMetadata: encodeMeta({ rows: rows.length, ...timeRange(rows), schema: SCHEMA_VERSION }),
      })
    }
    const r = await compactDate(lake, 'demo', '2026-05-01', {
      now: DAY + 2 * 86_400_000,
      settledAt: Date.now(),
      write: { codec: 'BROTLI', compressors: { BROTLI: (b) => brotliCompressSync(b) } },
    })
    expect(r.written).toHaveLength(1)
    const buf = await (await lake.get(r.written[0]!))!.arrayBuffer()
    expect(parquetMetadata(buf).row_groups[0]!.columns[0]!.meta_data!.codec).toBe('BROTLI')
    const dir = await mkdtemp(join(tmpdir(), 'footfall-brotli-'))
    await writeFile(join(dir, 'f.parquet'), new Uint8Array(buf))
    const native = await NativeLake.open()
    const [agg] = await native.run({ sql: `SELECT count(DISTINCT event_id) AS ids FROM read_parquet(?)`, params: [join(dir, 'f.parquet')] })
    expect(agg).toEqual({ ids: 250 })
  })
})
