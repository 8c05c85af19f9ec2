/**
 * Parquet -> Arrow IPC for DuckDB-WASM. DuckDB-WASM has no built-in Parquet reader (it would download the
 * extension from a CDN), so hyparquet decodes the file here and DuckDB ingests the Arrow stream.
 *
 * The Arrow buffers are written straight from hyparquet's column chunks: strings stay UTF-8 bytes (never
 * decoded to JS strings and encoded again), timestamps stay 64-bit integers, numbers go into typed arrays;
 * only the requested columns are read.
 */
import {
  parquetMetadata,
  parquetRead,
  parquetSchema,
  type ColumnChunk,
  type FileMetaData,
  type PageHeader,
  type SchemaElement,
} from 'hyparquet'
import { decompressPage, readPageHeader, readRleBitPacked } from '../../warehouse/parquet-pages.ts'
import {
  Bool,
  Float64,
  Int32,
  makeData,
  makeVector,
  Table,
  TimestampMillisecond,
  Utf8,
  tableToIPC,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow'
import { AGGREGATE_COLUMNS, SLICE_COLUMNS } from '../../warehouse/aggregate/columns.ts'
import { COLUMNS, DROP_COLUMNS, type ColumnType } from '../../warehouse/schema.ts'
import { OVERVIEW_COLUMNS } from './panels.ts'

type Columns = readonly { name: string; type: ColumnType }[]

/** The column sets the dashboard loads: the overview's events, every event column, the drop ledger, the aggregates and their slices. */
export const SHAPES = {
  overview: COLUMNS.filter((c) => (OVERVIEW_COLUMNS as readonly string[]).includes(c.name)),
  all: COLUMNS,
  dropped: DROP_COLUMNS,
  aggregates: AGGREGATE_COLUMNS,
  slices: SLICE_COLUMNS,
} as const
export type Shape = keyof typeof SHAPES

const encoder = new TextEncoder()
const same = <T>(v: T) => v

/**
 * Decodes one lake file into an Arrow IPC stream with exactly the given columns (events by default), of
 * which only those in `read` (default: all) are read from the file; the others are NULL.
 */
export async function parquetToArrowIPC(file: ArrayBuffer, columnsOf: Columns = COLUMNS, read?: ReadonlySet<string>): Promise<Uint8Array> {
  const metadata = parquetMetadata(file)
  const direct = directRead(file, metadata, columnsOf, read)
  if (direct) return tableToIPC(new Table(direct), 'stream')
  return genericToArrowIPC(file, metadata, columnsOf, read)
}

/** The same through hyparquet's reader (a JS value per cell): files the direct reader does not handle. */
export async function genericToArrowIPC(
  file: ArrayBuffer,
  metadata: FileMetaData,
  columnsOf: Columns = COLUMNS,
  read?: ReadonlySet<string>,
): Promise<Uint8Array> {
  const rows = Number(metadata.num_rows)
  const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name))
  const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>()
  await parquetRead({
    file,
    metadata,
    columns: columnsOf.map((c) => c.name).filter((n) => present.has(n) && (!read || read.has(n))),
    utf8: false,
    // Raw values: UTF-8 bytes for strings and JSON, 64-bit milliseconds for timestamps.
    parsers: {
      stringFromBytes: same,
      jsonFromBytes: same,
      timestampFromMilliseconds: same,
      timestampFromMicroseconds: (us: bigint) => us / 1000n,
    },
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
    const b =
      v === null || v === undefined ? null : v instanceof Uint8Array ? v : encoder.encode(typeof v === 'string' ? v : JSON.stringify(v))
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

/**
 * The direct reader: Arrow buffers straight from the Parquet pages, no JS value per cell (strings are
 * copied byte ranges, numbers typed-array copies), for the files the lake's writer makes: flat columns,
 * data pages v1 or v2, PLAIN or dictionary-encoded, SNAPPY or uncompressed. Returns null for anything
 * else (the caller falls back to hyparquet's reader).
 */
export function directRead(
  file: ArrayBuffer,
  metadata: FileMetaData,
  columnsOf: Columns,
  read?: ReadonlySet<string>,
): Record<string, Vector> | null {
  const rows = Number(metadata.num_rows)
  const schema = metadata.schema
  // Flat files only: the root and one leaf per column.
  if (schema.slice(1).some((e) => e.num_children)) return null
  const elements = new Map(schema.slice(1).map((e) => [e.name, e]))
  try {
    const vectors: Record<string, Vector> = {}
    for (const c of columnsOf) {
      const element = elements.get(c.name)
      if (!element || (read && !read.has(c.name))) {
        vectors[c.name] = makeVector(BUILD[c.type]({ length: rows }, rows) as Data)
        continue
      }
      const col = new ColumnReader(c.type, element, rows)
      for (const g of metadata.row_groups) {
        const chunk = g.columns.find((x) => x.meta_data?.path_in_schema.length === 1 && x.meta_data.path_in_schema[0] === c.name)
        if (!chunk) return null
        col.chunk(file, chunk)
      }
      vectors[c.name] = makeVector(col.finish() as Data)
    }
    return vectors
  } catch (e) {
    if (e instanceof Unsupported) return null
    throw e
  }
}

class Unsupported extends Error {}

/** Byte strings as offsets into one buffer: a dictionary page or a page of PLAIN values. */
interface Strings {
  starts: Int32Array
  ends: Int32Array
  bytes: Uint8Array
}

function plainStrings(page: Uint8Array, at: number, count: number): Strings {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength)
  const starts = new Int32Array(count)
  const ends = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    const len = view.getUint32(at, true)
    starts[i] = at + 4
    at += 4 + len
    ends[i] = at
  }
  if (at > page.byteLength) throw new Error('parquet: byte array past the end of its page')
  return { starts, ends, bytes: page }
}

/** Reads one column's chunks (one per row group) into the Arrow buffers of its type. */
class ColumnReader {
  private row = 0
  private readonly valid: Uint8Array
  private nulls = 0
  // STRING/JSON: each row's bytes (page, start, end); numbers: the values.
  private readonly pieces: { bytes: Uint8Array; starts: Int32Array; ends: Int32Array; index: Int32Array | null; rows: Int32Array }[] = []
  private readonly values: Int32Array | Float64Array | BigInt64Array | Uint8Array | null
  private readonly optional: boolean

  constructor(
    private readonly type: ColumnType,
    element: SchemaElement,
    private readonly rows: number,
  ) {
    this.valid = new Uint8Array((rows + 7) >> 3)
    this.optional = element.repetition_type !== 'REQUIRED'
    const physical = element.type
    const ok =
      ((type === 'STRING' || type === 'JSON') && physical === 'BYTE_ARRAY') ||
      (type === 'TIMESTAMP' && physical === 'INT64' && element.converted_type === 'TIMESTAMP_MILLIS') ||
      (type === 'INT32' && physical === 'INT32') ||
      (type === 'DOUBLE' && physical === 'DOUBLE') ||
      (type === 'BOOLEAN' && physical === 'BOOLEAN')
    if (!ok) throw new Unsupported()
    this.values =
      type === 'TIMESTAMP'
        ? new BigInt64Array(rows)
        : type === 'INT32'
          ? new Int32Array(rows)
          : type === 'DOUBLE'
            ? new Float64Array(rows)
            : type === 'BOOLEAN'
              ? new Uint8Array((rows + 7) >> 3)
              : null
  }

  chunk(file: ArrayBuffer, chunk: ColumnChunk): void {
    const md = chunk.meta_data!
    if (md.codec !== 'SNAPPY' && md.codec !== 'UNCOMPRESSED') throw new Unsupported()
    const start = Number(md.dictionary_page_offset ?? md.data_page_offset)
    const reader = { view: new DataView(file, start, Number(md.total_compressed_size)), offset: 0 }
    let dictionary: Strings | null = null
    let read = 0
    const total = Number(md.num_values)
    while (read < total && reader.offset < reader.view.byteLength) {
      const header: PageHeader = readPageHeader(reader)
      const raw = new Uint8Array(file, start + reader.offset, header.compressed_page_size)
      reader.offset += header.compressed_page_size
      if (header.type === 'DICTIONARY_PAGE') {
        if (this.values) throw new Unsupported() // dictionary-encoded numbers: not written by the lake
        const page = decompressPage(raw, header.uncompressed_page_size, md.codec)
        dictionary = plainStrings(page, 0, header.dictionary_page_header!.num_values)
      } else if (header.type === 'DATA_PAGE_V2') {
        const h = header.data_page_header_v2!
        if (h.repetition_levels_byte_length) throw new Unsupported()
        const defs = raw.subarray(0, h.definition_levels_byte_length)
        let body: Uint8Array = raw.subarray(h.definition_levels_byte_length)
        if (h.is_compressed !== false && md.codec !== 'UNCOMPRESSED') {
          body = decompressPage(body, header.uncompressed_page_size - h.definition_levels_byte_length, md.codec)
        }
        this.page(h.num_values, h.num_nulls, defs, body, h.encoding, dictionary)
        read += h.num_values
      } else if (header.type === 'DATA_PAGE') {
        const h = header.data_page_header!
        const page = decompressPage(raw, header.uncompressed_page_size, md.codec)
        let at = 0
        let defs: Uint8Array = new Uint8Array(0)
        if (this.optional) {
          const len = new DataView(page.buffer, page.byteOffset).getUint32(0, true)
          defs = page.subarray(4, 4 + len)
          at = 4 + len
        }
        this.page(h.num_values, -1, defs, page.subarray(at), h.encoding, dictionary)
        read += h.num_values
      } else throw new Unsupported()
    }
  }

  /** One data page of `n` rows: definition levels (RLE/bit-packed, width 1) and the values of the non-null rows. */
  private page(n: number, nullsHint: number, defs: Uint8Array, body: Uint8Array, encoding: string, dictionary: Strings | null): void {
    const first = this.row
    if (first + n > this.rows) throw new Error('parquet: more values than rows')
    // Which rows have a value.
    let present: Uint8Array | null = null
    let count = n
    if (this.optional) {
      present = new Uint8Array(n)
      if (defs.length)
        readRleBitPacked({ view: new DataView(defs.buffer, defs.byteOffset, defs.byteLength), offset: 0 }, 1, present, defs.length)
      count = 0
      for (let i = 0; i < n; i++) count += present[i]!
      if (nullsHint >= 0 && n - count !== nullsHint) throw new Error('parquet: null count does not match the definition levels')
    }
    for (let i = 0; i < n; i++) {
      if (!present || present[i]) this.valid[(first + i) >> 3]! |= 1 << ((first + i) & 7)
    }
    this.nulls += n - count
    const rowsOf = new Int32Array(count) // the row of each value
    for (let i = 0, k = 0; i < n; i++) if (!present || present[i]) rowsOf[k++] = first + i
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
    if (this.values === null) {
      if (encoding === 'PLAIN') {
        const s = plainStrings(body, 0, count)
        this.pieces.push({ ...s, index: null, rows: rowsOf })
      } else if (encoding === 'RLE_DICTIONARY' || encoding === 'PLAIN_DICTIONARY') {
        if (!dictionary) throw new Error('parquet: dictionary page missing')
        const index = new Int32Array(count)
        if (count) readRleBitPacked({ view, offset: 1 }, view.getUint8(0), index, body.byteLength - 1)
        const size = dictionary.starts.length
        for (let i = 0; i < count; i++) if (index[i]! >= size) throw new Error('parquet: dictionary index out of range')
        this.pieces.push({ ...dictionary, index, rows: rowsOf })
      } else throw new Unsupported()
    } else if (this.type === 'BOOLEAN') {
      if (encoding !== 'RLE' && encoding !== 'PLAIN') throw new Unsupported()
      const bits = new Uint8Array(count)
      if (encoding === 'RLE') readRleBitPacked({ view, offset: 0 }, 1, bits)
      else for (let i = 0; i < count; i++) bits[i] = (body[i >> 3]! >> (i & 7)) & 1
      const out = this.values as Uint8Array
      for (let i = 0; i < count; i++) if (bits[i]) out[rowsOf[i]! >> 3]! |= 1 << (rowsOf[i]! & 7)
    } else {
      if (encoding !== 'PLAIN') throw new Unsupported()
      const width = this.type === 'INT32' ? 4 : 8
      if (count * width > body.byteLength) throw new Error('parquet: values past the end of their page')
      // Copy (the page may be unaligned), then scatter to the rows.
      const aligned = body.slice(0, count * width).buffer
      const src =
        this.type === 'INT32' ? new Int32Array(aligned) : this.type === 'DOUBLE' ? new Float64Array(aligned) : new BigInt64Array(aligned)
      const out = this.values as Int32Array & Float64Array & BigInt64Array
      for (let i = 0; i < count; i++) out[rowsOf[i]!] = src[i] as never
    }
    this.row += n
  }

  finish(): Data<DataType> {
    if (this.row !== this.rows) throw new Error(`parquet: ${this.row} values for ${this.rows} rows`)
    const validity = { nullBitmap: this.valid, nullCount: this.nulls }
    switch (this.type) {
      case 'TIMESTAMP':
        return makeData({ type: new TimestampMillisecond(), length: this.rows, ...validity, data: this.values as BigInt64Array })
      case 'INT32':
        return makeData({ type: new Int32(), length: this.rows, ...validity, data: this.values as Int32Array })
      case 'DOUBLE':
        return makeData({ type: new Float64(), length: this.rows, ...validity, data: this.values as Float64Array })
      case 'BOOLEAN':
        return makeData({ type: new Bool(), length: this.rows, ...validity, data: this.values as Uint8Array })
      default: {
        // Lengths per row, then the bytes in row order.
        const lengths = new Int32Array(this.rows)
        for (const p of this.pieces) {
          for (let i = 0; i < p.rows.length; i++) {
            const j = p.index ? p.index[i]! : i
            lengths[p.rows[i]!] = p.ends[j]! - p.starts[j]!
          }
        }
        const valueOffsets = new Int32Array(this.rows + 1)
        for (let i = 0; i < this.rows; i++) valueOffsets[i + 1] = valueOffsets[i]! + lengths[i]!
        const data = new Uint8Array(valueOffsets[this.rows]!)
        for (const p of this.pieces) {
          for (let i = 0; i < p.rows.length; i++) {
            const j = p.index ? p.index[i]! : i
            data.set(p.bytes.subarray(p.starts[j]!, p.ends[j]!), valueOffsets[p.rows[i]!]!)
          }
        }
        return makeData({ type: new Utf8(), length: this.rows, ...validity, valueOffsets, data })
      }
    }
  }
}
