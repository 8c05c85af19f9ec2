/**
 * Pageview rollups written by compaction (rollup.ts): per UTC minute and bot flag, they hold what native
 * DuckDB counts over the merged day files they sit beside; a re-merge replaces them; retention removes them.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { applyRetention, compactDate } from './compact.ts'
import { encodeMeta, partitionOf, partKey, partName } from './lake.ts'
import { NativeLake } from './native.ts'
import { timeRange, writeEvents } from './parquet.ts'
import { eventsKeyOf, rollupColumns, rollupKey } from './rollup.ts'
import { SCHEMA_VERSION, type EventRow } from './schema.ts'
import { MemoryBucket } from './testing/bucket.ts'
import { eventRow } from './testing/rows.ts'
import { DAY as DAY_MS } from './time.ts'

const DAY = Date.UTC(2026, 4, 1)

async function putParts(lake: MemoryBucket, rows: EventRow[]) {
  const byHour = new Map<string, EventRow[]>()
  for (const e of rows) {
    const h = partitionOf('demo', e.event_time).hour
    byHour.set(h, [...(byHour.get(h) ?? []), e])
  }
  for (const part of byHour.values()) {
    await lake.put(partKey(partitionOf('demo', part[0]!.event_time), await partName(part.map((r) => r.event_id))), writeEvents(part), {
      customMetadata: encodeMeta({ rows: part.length, ...timeRange(part), schema: SCHEMA_VERSION }),
    })
  }
}

/** A temp path as a SQL string literal (our own paths, no quotes in them). */
const lit = (path: string) => `'${path}'`

/** Copies lake objects to files native DuckDB reads. */
async function toFiles(lake: MemoryBucket, keys: string[]): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'footfall-rollup-'))
  return Promise.all(
    keys.map(async (k, i) => {
      const path = join(dir, `${i}.parquet`)
      await writeFile(path, new Uint8Array(await (await lake.get(k))!.arrayBuffer()))
      return path
    }),
  )
}

describe('rollups beside compacted day files', () => {
  it('count pageviews per UTC minute and bot flag exactly as native DuckDB does over the merged files', { timeout: 60_000 }, async () => {
    const lake = new MemoryBucket()
    // 12,000 events over the day, with custom events, bots, several events in a minute, and ms-precise times.
    const events = Array.from({ length: 12_000 }, (_, i) =>
      eventRow({
        event_id: `e${i}`,
        event_time: DAY + Math.floor((i / 12_000) * DAY_MS) + (i % 7) * 333,
        type: i % 5 === 0 ? 'event' : 'pageview',
        name: i % 5 === 0 ? 'signup' : null,
        is_bot: i % 11 === 0,
        bot_reason: i % 11 === 0 ? 'ua' : null,
      }),
    )
    // Batches of 100, every 10th redelivered within the next one: duplicates across parts of one hour.
    for (let b = 0; b < 120; b++) {
      await putParts(lake, events.slice(b * 100, b * 100 + 100).concat(b % 10 === 1 ? events.slice((b - 1) * 100, (b - 1) * 100 + 30) : []))
    }
    const r = await compactDate(lake, 'demo', '2026-05-01', { now: DAY + 2 * DAY_MS, settledAt: Date.now(), maxRows: 5_000 })
    expect(r.rows).toBe(12_000)
    const merged = r.written
    expect(merged.length).toBeGreaterThan(1) // several day files, each with its own rollup
    const rollups = [...lake.objects.keys()].filter((k) => k.startsWith('rollups/')).sort()
    expect(rollups).toEqual(merged.map(rollupKey).sort())
    expect(rollups.map(eventsKeyOf).sort()).toEqual([...merged].sort())

    const native = await NativeLake.open()
    for (const key of merged) {
      const [events, rollup] = await toFiles(lake, [key, rollupKey(key)])
      const expected = await native.run({
        sql: `SELECT time_bucket(INTERVAL '1 minute', event_time) AS minute, is_bot, count(*) AS pageviews
FROM read_parquet(${lit(events!)}) WHERE type = 'pageview' GROUP BY ALL ORDER BY minute, is_bot`,
        params: [],
      })
      const got = await native.run({
        sql: `SELECT minute, is_bot, pageviews FROM read_parquet(${lit(rollup!)}) ORDER BY minute, is_bot`,
        params: [],
      })
      expect(got.length).toBeGreaterThan(100)
      expect(got).toEqual(expected)
    }
    // Over the whole day: the deduplicated pageviews, bots apart.
    const [all] = await native.run({
      sql: `SELECT sum(pageviews) FILTER (WHERE NOT is_bot) AS human, sum(pageviews) FILTER (WHERE is_bot) AS bots FROM read_parquet([${(await toFiles(lake, rollups)).map(lit).join(', ')}])`,
      params: [],
    })
    const pageviews = events.filter((e) => e.type === 'pageview')
    expect(all).toEqual({ human: pageviews.filter((e) => !e.is_bot).length, bots: pageviews.filter((e) => e.is_bot).length })
  })

  it('are replaced when a late part re-merges the day, and go with their day under retention', async () => {
    const lake = new MemoryBucket()
    await putParts(
      lake,
      Array.from({ length: 50 }, (_, i) => eventRow({ event_id: `a${i}`, event_time: DAY + 3_600_000 * 5 + i * 1000 })),
    )
    const first = await compactDate(lake, 'demo', '2026-05-01', { now: DAY + 2 * DAY_MS, settledAt: Date.now() })
    expect(first.written).toHaveLength(1)
    await new Promise((r) => setTimeout(r, 5))
    // A late event (a slow beacon) lands after the day was compacted.
    await putParts(lake, [eventRow({ event_id: 'late', event_time: DAY + 3_600_000 * 9 })])
    const again = await compactDate(lake, 'demo', '2026-05-01', { now: DAY + 2 * DAY_MS, settledAt: Date.now() })
    expect(again.written).toHaveLength(1)
    expect(again.deleted).toContain(first.written[0])
    const keys = [...lake.objects.keys()].sort()
    expect(keys).toEqual([again.written[0]!, rollupKey(again.written[0]!)].sort())
    const [path] = await toFiles(lake, [rollupKey(again.written[0]!)])
    const native = await NativeLake.open()
    const [sum] = await native.run({ sql: `SELECT sum(pageviews) AS n FROM read_parquet(${lit(path!)})`, params: [] })
    expect(sum).toEqual({ n: 51 })

    expect(await applyRetention(lake, 3, DAY + 10 * DAY_MS)).toBe(2)
    expect(lake.objects.size).toBe(0)
  })

  it('leave minutes without pageviews out and split bots from humans', () => {
    const t = Date.UTC(2026, 4, 1, 10, 30, 59, 999)
    expect(
      rollupColumns(
        ['pageview', 'event', 'pageview', 'pageview', 'pageview'],
        [t, t, t + 1, t, t + 120_000],
        [false, false, false, true, false],
      ),
    ).toEqual([
      [t - 59_999, t - 59_999, t + 1, t + 60_001 + 60_000 - 2].map((x) => Math.floor(x / 60_000) * 60_000),
      [false, true, false, false],
      [1, 1, 1, 1],
    ])
  })
})
