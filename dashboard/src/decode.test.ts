// The direct Parquet -> Arrow reader (pages to Arrow buffers, no JS value per cell) must write exactly the
// Arrow stream hyparquet's reader gives, on the lake writer's files: every column type, nulls, unicode,
// empty strings, dictionary and PLAIN pages, several row groups, columns missing from the file, projections;
// and fall back to hyparquet for what it does not read.
import { describe, expect, it } from 'vitest'
import { parquetMetadata } from 'hyparquet'
import { parquetWriteBuffer as parquetWrite } from 'hyparquet-writer'
import { writeColumns, writeDrops, writeEvents } from '../../warehouse/parquet.ts'
import { COLUMNS, DROP_COLUMNS, type ColumnType } from '../../warehouse/schema.ts'
import { eventRow } from '../../warehouse/testing/rows.ts'
import { directRead, genericToArrowIPC, parquetToArrowIPC, SHAPES } from './decode.ts'

const COUNTRIES = ['DE', 'FR', null, 'US', 'ÅLAND-ÄÖ', '']
const rows = Array.from({ length: 3000 }, (_, i) =>
  eventRow({
    event_id: `e${i}`,
    type: i % 5 === 0 ? 'event' : 'pageview',
    name: i % 5 === 0 ? 'signup' : null,
    event_time: Date.UTC(2026, 0, 10) + i * 1000,
    visitor_id: i % 7 === 0 ? null : `v${i % 300}`,
    visitor_id_prev: i % 11 === 0 ? `p${i}` : null,
    path: `/p/${i % 40}/ünï`,
    title: i % 3 ? `title ${i} ${'x'.repeat(i % 50)}` : null,
    country: COUNTRIES[i % COUNTRIES.length]!,
    props: i % 4 === 0 ? { plan: i % 8 ? 'pro' : 'free', n: i } : null,
    revenue: i % 9 === 0 ? i / 7 : null,
    engaged_ms: i % 2 ? i * 13 : null,
    asn: i % 13 ? -i : null,
    is_bot: i % 17 === 0,
  }),
)

async function both(file: ArrayBuffer, columns: readonly { name: string; type: ColumnType }[] = COLUMNS, read?: ReadonlySet<string>) {
  return {
    direct: await parquetToArrowIPC(file, columns, read),
    generic: await genericToArrowIPC(file, parquetMetadata(file), columns, read),
  }
}

describe('direct Parquet reader', () => {
  it.each([
    ['one row group', {}],
    ['row groups of 700 rows', { rowGroupSize: 700 }],
    ['forced dictionaries', { forceDictionary: true, rowGroupSize: 1000 }],
  ])('writes the same Arrow stream as hyparquet: %s', async (_, options) => {
    const file = writeEvents(rows, options)
    expect(directRead(file, parquetMetadata(file), COLUMNS)).not.toBeNull()
    for (const [columns, read] of [
      [COLUMNS, undefined],
      [SHAPES.overview, undefined],
      [COLUMNS, new Set(['event_id', 'country', 'is_bot'])],
    ] as const) {
      const { direct, generic } = await both(file, columns, read)
      expect(Buffer.from(direct).equals(Buffer.from(generic))).toBe(true)
    }
  })

  it('reads a file of an older schema (columns missing) and the drop ledger', async () => {
    const old = COLUMNS.filter((c) => !['visitor_id_prev', 'click_id'].includes(c.name))
    const file = writeColumns(
      old,
      old.map((c) => rows.slice(0, 50).map((r) => r[c.name as keyof typeof r])),
    )
    expect(directRead(file, parquetMetadata(file), COLUMNS)).not.toBeNull()
    const a = await both(file)
    expect(Buffer.from(a.direct).equals(Buffer.from(a.generic))).toBe(true)
    const drops = writeDrops(
      Array.from({ length: 20 }, (_, i) => ({
        time: Date.UTC(2026, 0, 1) + i,
        site: 'demo',
        reason: i % 2 ? 'bot' : 'invalid',
        field: i % 3 ? null : 'url',
        detail: null,
        events: i,
      })),
    )
    const d = await both(drops, DROP_COLUMNS)
    expect(Buffer.from(d.direct).equals(Buffer.from(d.generic))).toBe(true)
  })

  it('leaves to hyparquet what it does not read (a timestamp column as plain INT64)', async () => {
    const file = parquetWrite({
      columnData: [{ name: 'event_time', data: [1_700_000_000_000n, null, 5n] as never, type: 'INT64' }],
    }) as ArrayBuffer
    const cols = COLUMNS.filter((c) => c.name === 'event_time')
    expect(directRead(file, parquetMetadata(file), cols)).toBeNull()
    const { direct, generic } = await both(file, cols)
    expect(Buffer.from(direct).equals(Buffer.from(generic))).toBe(true)
  })
})
