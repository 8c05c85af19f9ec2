/**
 * Parquet -> Arrow IPC for DuckDB-WASM. DuckDB-WASM has no built-in Parquet reader (it would download the
 * extension from a CDN), so hyparquet decodes the file here and DuckDB ingests the Arrow stream.
 *
 * The Arrow buffers are written straight from hyparquet's column chunks: strings stay UTF-8 bytes (never
 * decoded to JS strings and encoded again), timestamps stay 64-bit integers, numbers go into typed arrays;
 * only the requested columns are read.
 */
import { parquetMetadata, parquetRead, parquetSchema } from 'hyparquet'
import { Bool, Float64, Int32, makeData, makeVector, Table, TimestampMillisecond, Utf8, tableToIPC, type Data, type DataType, type Vector } from 'apache-arrow'
import { COLUMNS, DROP_COLUMNS, type ColumnType } from '../../warehouse/schema.ts'
import { OVERVIEW_COLUMNS } from './panels.ts'

type Columns = readonly { name: string; type: ColumnType }[]

/** The column sets the dashboard loads: the overview's events, every event column, the drop ledger. */
export const SHAPES = {
  overview: COLUMNS.filter((c) => (OVERVIEW_COLUMNS as readonly string[]).includes(c.name)),
  all: COLUMNS,
  dropped: DROP_COLUMNS,
} as const
export type Shape = keyof typeof SHAPES

const encoder = new TextEncoder()
const same = <T,>(v: T) => v

/**
 * Decodes one lake file into an Arrow IPC stream with exactly the given columns (events by default), of
 * which only those in `read` (default: all) are read from the file; the others are NULL.
 */
export async function parquetToArrowIPC(file: ArrayBuffer, columnsOf: Columns = COLUMNS, read?: ReadonlySet<string>): Promise<Uint8Array> {
  const metadata = parquetMetadata(file)
  const rows = Number(metadata.num_rows)
  const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name))
  const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>()
  await parquetRead({
    file,
    metadata,
    columns: columnsOf.map((c) => c.name).filter((n) => present.has(n) && (!read || read.has(n))),
    utf8: false,
    // Raw values: UTF-8 bytes for strings and JSON, 64-bit milliseconds for timestamps.
    parsers: { stringFromBytes: same, jsonFromBytes: same, timestampFromMilliseconds: same, timestampFromMicroseconds: (us: bigint) => us / 1000n },
    onChunk({ columnName, columnData, rowStart }) {
      let list = chunks.get(columnName)
      if (!list) chunks.set(columnName, (list = []))
      list.push({ rowStart, data: columnData as ArrayLike<unknown> })
    },
  })
  const vectors: Record<string, Vector> = {}
  for (const c of columnsOf) {
    const values = gather(chunks.get(c.name), rows)
    vectors[c.name] = makeVector(BUILD[c.type](values, rows) as Data)
  }
  return tableToIPC(new Table(vectors), 'stream')
}

/** One array of a column's values in row order (null where the file has no such column). */
function gather(list: { rowStart: number; data: ArrayLike<unknown> }[] | undefined, rows: number): ArrayLike<unknown> {
  if (!list) return { length: rows }
  if (list.length === 1 && list[0]!.rowStart === 0 && list[0]!.data.length === rows) return list[0]!.data
  const out = new Array<unknown>(rows).fill(null)
  for (const { rowStart, data } of list) for (let i = 0; i < data.length && rowStart + i < rows; i++) out[rowStart + i] = data[i]
  return out
}

/** Validity bitmap and null count of `values` (null and undefined are null). */
function validity(values: ArrayLike<unknown>, n: number): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array((n + 7) >> 3)
  let nullCount = 0
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (v === null || v === undefined) nullCount++
    else nullBitmap[i >> 3]! |= 1 << (i & 7)
  }
  return { nullBitmap, nullCount }
}

function utf8(values: ArrayLike<unknown>, n: number): Data<Utf8> {
  const bytes: Uint8Array[] = new Array(n)
  const valueOffsets = new Int32Array(n + 1)
  let size = 0
  for (let i = 0; i < n; i++) {
    const v = values[i]
    const b = v === null || v === undefined ? null : v instanceof Uint8Array ? v : encoder.encode(typeof v === 'string' ? v : JSON.stringify(v))
    if (b) (bytes[i] = b), (size += b.length)
    valueOffsets[i + 1] = size
  }
  const data = new Uint8Array(size)
  for (let i = 0; i < n; i++) if (bytes[i]) data.set(bytes[i]!, valueOffsets[i]!)
  return makeData({ type: new Utf8(), length: n, ...validity(values, n), valueOffsets, data })
}

function numbers<T extends Int32 | Float64>(type: T, Typed: Int32ArrayConstructor | Float64ArrayConstructor) {
  return (values: ArrayLike<unknown>, n: number): Data<T> => {
    const data = new Typed(n)
    for (let i = 0; i < n; i++) data[i] = Number(values[i] ?? 0)
    return makeData({ type, length: n, ...validity(values, n), data } as never) as unknown as Data<T>
  }
}

function timestamps(values: ArrayLike<unknown>, n: number): Data<TimestampMillisecond> {
  const data = new BigInt64Array(n)
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (v !== null && v !== undefined) data[i] = typeof v === 'bigint' ? v : BigInt(v instanceof Date ? v.getTime() : Number(v))
  }
  return makeData({ type: new TimestampMillisecond(), length: n, ...validity(values, n), data })
}

function booleans(values: ArrayLike<unknown>, n: number): Data<Bool> {
  const data = new Uint8Array((n + 7) >> 3)
  for (let i = 0; i < n; i++) if (values[i] === true) data[i >> 3]! |= 1 << (i & 7)
  return makeData({ type: new Bool(), length: n, ...validity(values, n), data })
}

const BUILD: Record<ColumnType, (values: ArrayLike<unknown>, n: number) => Data<DataType>> = {
  STRING: utf8,
  JSON: utf8,
  TIMESTAMP: timestamps,
  INT32: numbers(new Int32(), Int32Array),
  DOUBLE: numbers(new Float64(), Float64Array),
  BOOLEAN: booleans,
}
