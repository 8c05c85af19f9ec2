import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { NativeLake } from './native.ts'
import { CODEC, LOW_CARDINALITY, writeEventColumns, writeEvents, timeRange } from './parquet.ts'
import { COLUMNS, SCHEMA_VERSION, type EventRow } from './schema.ts'
import { eventRow } from './testing/rows.ts'

const full = eventRow({
  event_id: 'e1',
  name: 'signup',
  type: 'event',
  title: '“Ünïcödé” 🛒 </script>',
  referrer: '',
  props: { plan: "o'brien", n: 3, ok: true },
  revenue: 19.99,
  currency: 'EUR',
  engaged_ms: 4200,
  scroll_depth: 75,
  asn: 3320,
  country: 'DE',
  is_bot: true,
  bot_reason: 'ua',
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
    const expected: Record<string, string> = {
      STRING: 'VARCHAR',
      JSON: 'JSON',
      TIMESTAMP: 'TIMESTAMP',
      INT32: 'INTEGER',
      DOUBLE: 'DOUBLE',
      BOOLEAN: 'BOOLEAN',
    }
    expect(types).toEqual(COLUMNS.map((c) => ({ column_name: c.name, column_type: expected[c.type] })))

    await lake.load([path])
    const rows = await lake.run({ sql: `SELECT * FROM events ORDER BY event_id`, params: [] })
    expect(rows[0]).toMatchObject({
      event_id: 'e1',
      title: '“Ünïcödé” 🛒 </script>',
      referrer: '',
      revenue: 19.99,
      engaged_ms: 4200,
      scroll_depth: 75,
      asn: 3320,
      is_bot: true,
      event_time: new Date(full.event_time),
    })
    expect(JSON.parse(rows[0]!.props as string)).toEqual({ plan: "o'brien", n: 3, ok: true })
    expect(rows[1]).toMatchObject({
      event_id: 'e2',
      visitor_id: null,
      props: null,
      revenue: null,
      asn: null,
      event_time: new Date(sparse.event_time),
    })
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

describe('Parquet round trips (hyparquet and native DuckDB)', () => {
  const bigProps = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, `välue ${i} ${'x'.repeat(40)} 🎉`]))
  const edge = [
    eventRow({
      event_id: 'u1',
      title: '日本語のタイトル — ñ, ß, é, 😀 \u0000 nul',
      name: '',
      referrer: '',
      props: {},
      revenue: 0,
      engaged_ms: 0,
      scroll_depth: 100,
      asn: 2 ** 31 - 1,
    }),
    eventRow({
      event_id: 'u2',
      title: '',
      props: bigProps,
      revenue: -1.5e-7,
      engaged_ms: -(2 ** 31),
      asn: 0,
      is_bot: true,
      bot_reason: '',
    }),
    eventRow({
      event_id: 'u3',
      event_time: Date.UTC(1999, 11, 31, 23, 59, 59, 999),
      client_time: Date.UTC(2038, 0, 19, 3, 14, 8),
      props: { nested: { a: [1, 'two', null] }, quote: 'a"b\'c\\d' },
    }),
    // Every optional column null.
    Object.fromEntries(
      COLUMNS.map((c) => [c.name, 'required' in c ? eventRow({ event_id: 'u4' })[c.name] : null]),
    ) as unknown as ReturnType<typeof eventRow>,
  ]

  async function both(buf: ArrayBuffer) {
    const dir = await mkdtemp(join(tmpdir(), 'footfall-rt-'))
    const path = join(dir, 'f.parquet')
    await writeFile(path, new Uint8Array(buf))
    const lake = await NativeLake.open()
    const native = await lake.run({ sql: `SELECT * FROM read_parquet(?) ORDER BY event_id`, params: [path] })
    const hy = (await parquetReadObjects({ file: buf })).sort((a, b) => String(a.event_id).localeCompare(String(b.event_id)))
    return { native, hy }
  }

  it('keeps unicode, empty strings, extreme numbers, large props and nulls, in every column, for both readers', async () => {
    const buf = writeEvents(edge)
    const { native, hy } = await both(buf)
    expect(hy).toHaveLength(4)
    for (const [i, want] of edge.entries()) {
      for (const c of COLUMNS) {
        const v = want[c.name as keyof typeof want]
        const fromHy = hy[i]![c.name],
          fromNative = native[i]![c.name]
        if (v === null) {
          expect(fromHy, c.name).toBeNull()
          expect(fromNative, c.name).toBeNull()
        } else if (c.type === 'TIMESTAMP') {
          expect(fromHy, c.name).toEqual(new Date(v as number))
          expect(fromNative, c.name).toEqual(new Date(v as number))
        } else if (c.type === 'JSON') {
          expect(fromHy, c.name).toEqual(v)
          expect(JSON.parse(fromNative as string), c.name).toEqual(v)
        } else {
          expect(fromHy, c.name).toEqual(v)
          expect(fromNative, c.name).toEqual(v)
        }
      }
    }
    expect(JSON.stringify(bigProps).length).toBeGreaterThan(20_000)
  })

  it('writes the same file from rows and from columns (the compactor path)', () => {
    const fromRows = new Uint8Array(writeEvents(edge))
    const fromColumns = new Uint8Array(writeEventColumns(COLUMNS.map((c) => edge.map((r) => r[c.name as keyof typeof r]))))
    expect(fromColumns).toEqual(fromRows)
  })

  it('reads rows whatever their key order, missing or extra keys: the same file as a keyed read per column', () => {
    // The writer reads a row with Object.values while its keys keep the previous row's order; these rows change
    // order, lack columns (undefined, written as null) and carry keys that are no column, row after row.
    const base = edge.map((r) => r as unknown as Record<string, unknown>)
    const reversed = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).reverse())
    const rows = base.flatMap((r, i) => {
      const { title: _t, country: _c, ...lacking } = r
      return [r, reversed(r), { ...lacking, extra: i, __note: 'x' }, { zzz: 1, ...r }, r, r]
    })
    const keyed = COLUMNS.map((c) => rows.map((r) => r[c.name]))
    expect(new Uint8Array(writeEvents(rows as unknown as EventRow[]))).toEqual(new Uint8Array(writeEventColumns(keyed)))
    expect(keyed.flat().filter((v) => v === undefined).length).toBeGreaterThan(0)
  })

  it('dictionary-encodes repeating low-cardinality strings, compresses with SNAPPY, and splits row groups as asked', () => {
    const rows = Array.from({ length: 100 }, (_, i) =>
      eventRow({
        event_id: `r${i}`,
        event_time: Date.UTC(2026, 0, 10, 10, 0, i),
        country: ['DE', 'US', 'FR'][i % 3]!,
        browser: ['Chrome', 'Safari'][i % 2]!,
        device_type: 'desktop',
      }),
    )
    const meta = parquetMetadata(writeEvents(rows, { rowGroupSize: 40 }))
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([40, 40, 20])
    const chunk = (name: string) => meta.row_groups[0]!.columns.find((c) => c.meta_data!.path_in_schema[0] === name)!.meta_data!
    for (const name of ['site', 'type', 'country', 'browser', 'device_type', 'channel', 'host']) {
      expect(LOW_CARDINALITY.has(name)).toBe(true)
      expect(chunk(name).encodings, name).toContain('RLE_DICTIONARY')
    }
    expect(chunk('event_id').encodings).not.toContain('RLE_DICTIONARY') // unique: plain
    expect(chunk('event_time').type).toBe('INT64')
    expect(meta.row_groups.every((g) => g.columns.every((c) => c.meta_data!.codec === CODEC))).toBe(true)
    expect(CODEC).toBe('SNAPPY')
  })

  it('reads back every row of a compacted-size file, split in row groups, in both readers', async () => {
    const rows = Array.from({ length: 25_000 }, (_, i) =>
      eventRow({ event_id: `big${i}`, event_time: Date.UTC(2026, 0, 10) + i * 1000, path: `/p${i % 70}` }),
    )
    const buf = writeEvents(rows, { rowGroupSize: 10_000 })
    expect(parquetMetadata(buf).row_groups).toHaveLength(3)
    const hy = await parquetReadObjects({ file: buf, columns: ['event_id', 'event_time'] })
    expect(hy).toHaveLength(25_000)
    expect(new Set(hy.map((r) => r.event_id)).size).toBe(25_000)
    const dir = await mkdtemp(join(tmpdir(), 'footfall-rt-'))
    await writeFile(join(dir, 'f.parquet'), new Uint8Array(buf))
    const lake = await NativeLake.open()
    const [agg] = await lake.run({
      sql: `SELECT count(*) AS n, count(DISTINCT event_id) AS ids, count(DISTINCT path) AS paths, min(event_time) AS t0 FROM read_parquet(?)`,
      params: [join(dir, 'f.parquet')],
    })
    expect(agg).toEqual({ n: 25_000, ids: 25_000, paths: 70, t0: new Date(Date.UTC(2026, 0, 10)) })
  })
})
