import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { NativeLake } from './native.ts'
import { writeEvents, timeRange } from './parquet.ts'
import { COLUMNS, SCHEMA_VERSION } from './schema.ts'
import { eventRow } from './testing/rows.ts'

const full = eventRow({
  event_id: 'e1', name: 'signup', type: 'event', title: '“Ünïcödé” 🛒 </script>', referrer: '', props: { plan: "o'brien", n: 3, ok: true },
  revenue: 19.99, currency: 'EUR', engaged_ms: 4200, scroll_depth: 75, asn: 3320, country: 'DE', is_bot: true, bot_reason: 'ua',
})
const sparse = eventRow({ event_id: 'e2', event_time: Date.UTC(2026, 0, 10, 11, 30, 15, 123), visitor_id: null })

async function roundTrip() {
  const dir = await mkdtemp(join(tmpdir(), 'footfall-parquet-'))
  const path = join(dir, 'part.parquet')
  const buf = writeEvents([full, sparse])
  await writeFile(path, new Uint8Array(buf))
  return { path, buf }
}

describe('writeEvents', () => {
  it('writes every column with its type, read back by native DuckDB', async () => {
    const { path } = await roundTrip()
    const lake = await NativeLake.open()
    const types = await lake.run({ sql: `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))`, params: [path] })
    const expected: Record<string, string> = { STRING: 'VARCHAR', JSON: 'JSON', TIMESTAMP: 'TIMESTAMP', INT32: 'INTEGER', DOUBLE: 'DOUBLE', BOOLEAN: 'BOOLEAN' }
    expect(types).toEqual(COLUMNS.map((c) => ({ column_name: c.name, column_type: expected[c.type] })))

    await lake.load([path])
    const rows = await lake.run({ sql: `SELECT * FROM events ORDER BY event_id`, params: [] })
    expect(rows[0]).toMatchObject({
      event_id: 'e1', title: '“Ünïcödé” 🛒 </script>', referrer: '', revenue: 19.99, engaged_ms: 4200, scroll_depth: 75,
      asn: 3320, is_bot: true, event_time: new Date(full.event_time),
    })
    expect(JSON.parse(rows[0]!.props as string)).toEqual({ plan: "o'brien", n: 3, ok: true })
    expect(rows[1]).toMatchObject({ event_id: 'e2', visitor_id: null, props: null, revenue: null, asn: null, event_time: new Date(sparse.event_time) })
  })

  it('keeps the schema version in the file metadata and round-trips through hyparquet', async () => {
    const { buf } = await roundTrip()
    const meta = parquetMetadata(buf)
    expect(meta.key_value_metadata).toContainEqual({ key: 'footfall.schema', value: String(SCHEMA_VERSION) })
    const rows = await parquetReadObjects({ file: buf })
    expect(rows.map((r) => r.event_id)).toEqual(['e1', 'e2'])
    expect(rows[1]!.event_time).toEqual(new Date(sparse.event_time))
  })

  it('computes the time range of rows', () => {
    expect(timeRange([full, sparse])).toEqual({ minTime: full.event_time, maxTime: sparse.event_time })
  })
})
