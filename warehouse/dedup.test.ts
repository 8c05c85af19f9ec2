// The one rule for copies of an event (dedup.ts): per site and event id, the copy received first. Asserted
// where copies meet: the readers' `events` view (native DuckDB and DuckDB-WASM) over a directory of two
// sites' files, and compaction merging parts (read back by native DuckDB and hyparquet). The consumer's
// side runs in workerd: edge/consumer.test.ts.
import { parquetReadObjects } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { compactDate } from './compact.ts'
import { encodeMeta, partitionOf, partKey, partName } from './lake.ts'
import { NativeLake } from './native.ts'
import { timeRange, writeEvents } from './parquet.ts'
import { SCHEMA_VERSION, type EventRow } from './schema.ts'
import { kpis } from './sql/kpis.ts'
import { sql } from './sql/query.ts'
import { MemoryBucket } from './testing/bucket.ts'
import { golden } from './testing/golden.ts'
import { openEngines, writeLake } from './testing/lake.ts'
import { eventRow } from './testing/rows.ts'
import { at, DAY_D } from './testing/shop.ts'

const t = at(0, 10)
const copy = (site: string, received: number, path: string, over: Partial<EventRow> = {}) =>
  eventRow({
    event_id: 'same-id-1',
    site,
    event_time: t,
    client_time: t,
    received_time: received,
    visitor_id: `${site}-v`,
    path,
    url: `https://${site}.example${path}`,
    ...over,
  })

describe('copies of an event', () => {
  it('the events view keeps one per site and id, the one received first, on both engines', async () => {
    // Site a's event was resent: the later copy sits in the first file. Site b's own event has the same id.
    const db = await openEngines(
      await writeLake([
        [copy('a', t + 900, '/resent'), eventRow({ event_id: 'other-1', site: 'a', event_time: t + 1000, visitor_id: 'a-v' })],
        [copy('b', t + 50, '/b')],
        [copy('a', t + 80, '/first')],
      ]),
    )
    expect(await golden(db, sql`SELECT site, event_id, path FROM events ORDER BY site, event_id`)).toEqual([
      { site: 'a', event_id: 'other-1', path: '/' },
      { site: 'a', event_id: 'same-id-1', path: '/first' },
      { site: 'b', event_id: 'same-id-1', path: '/b' },
    ])
    // Site b keeps its pageview although site a's copy was received earlier.
    const [b] = await golden(db, kpis(DAY_D, { site: 'b' }))
    expect([b!.visitors, b!.pageviews]).toEqual([1, 1])
    const [a] = await golden(db, kpis(DAY_D, { site: 'a' }))
    expect([a!.visitors, a!.pageviews]).toEqual([1, 2])
  }, 60_000)

  it('compaction keeps the copy received first, whichever file it reads first', async () => {
    const lake = new MemoryBucket()
    // Read in key order: the copy received first sits in the part read last.
    const parts = [[copy('demo', t + 900, '/resent')], [copy('demo', t + 500, '/third')], [copy('demo', t + 80, '/first')]]
    for (const [i, rows] of parts.entries()) {
      // The part names come from the ids: the same id, so each part gets its own name here.
      const key = partKey(partitionOf('demo', t), `${i}${await partName(rows.map((r) => r.event_id))}`)
      await lake.put(key, writeEvents(rows), { customMetadata: encodeMeta({ rows: 1, ...timeRange(rows), schema: SCHEMA_VERSION }) })
    }
    const result = await compactDate(lake, 'demo', '2026-01-10', { now: at(2, 0), settledAt: Date.now() + 1000 })
    expect(result.rows).toBe(1)
    const [key] = [...lake.objects.keys()].filter((k) => k.startsWith('events/'))
    const file = lake.objects.get(key!)!.body
    const rows = await parquetReadObjects({ file, columns: ['event_id', 'path', 'received_time'] })
    expect(rows).toEqual([{ event_id: 'same-id-1', path: '/first', received_time: new Date(t + 80) }])
    const { writeFile, mkdtemp } = await import('node:fs/promises')
    const dir = await mkdtemp(`${(await import('node:os')).tmpdir()}/footfall-dedup-`)
    await writeFile(`${dir}/day.parquet`, new Uint8Array(file))
    const native = await NativeLake.open()
    await native.load([`${dir}/day.parquet`])
    expect(await native.run(sql`SELECT event_id, path FROM events`)).toEqual([{ event_id: 'same-id-1', path: '/first' }])
  }, 60_000)
})
