/**
 * Rows <-> Parquet, with the columns of `schema.ts`. The consumer, the backfill and the tests all write
 * through `writeEvents`, so every file of the lake has the same schema.
 */
import { parquetWriteBuffer } from 'hyparquet-writer'
import type { CompressionCodec } from 'hyparquet'
import { COLUMNS, DROP_COLUMNS, SCHEMA_VERSION, TYPE_RANGES, type ColumnType, type DropRow, type EventRow } from './schema.ts'
import { wellFormedDeep } from './unicode.ts'

export type Columns = readonly { name: string; type: ColumnType; required?: boolean }[]

/** Writes events as one Parquet file (SNAPPY, dictionary-encoded strings, schema version in the metadata). */
export function writeEvents(rows: readonly EventRow[], options: WriteOptions = {}): ArrayBuffer {
  return writeRows(COLUMNS, rows, options)
}

/** Writes events given column-wise (`columns[i]` holds `COLUMNS[i]`): compaction keeps rows this way. */
export function writeEventColumns(columns: readonly (readonly unknown[])[], options: WriteOptions = {}): ArrayBuffer {
  return writeColumns(COLUMNS, columns, options)
}

export interface WriteOptions {
  /** Rows per row group (default: one group for a part; compaction passes its own). */
  rowGroupSize?: number
  /** Codec (default SNAPPY, see `CODEC`); others need `compressors`, and readers need the matching decompressor. */
  codec?: CompressionCodec
  compressors?: { [K in CompressionCodec]?: (input: Uint8Array) => Uint8Array }
  /**
   * Force dictionary encoding of `LOW_CARDINALITY` columns (default false). Measured (bench/RESULTS.md): the
   * writer's own rule, keep a dictionary when it at least halves a column, already dictionary-encodes these
   * columns whenever they repeat, and forcing it only adds empty dictionaries to all-null columns.
   */
  forceDictionary?: boolean
}

/**
 * SNAPPY, measured against GZIP, BROTLI and no compression by `npm run bench:lake` (bench/RESULTS.md): the only
 * codec that hyparquet (the dashboard's decoder) reads without a plug-in, and the fastest to encode in the
 * consumer's CPU budget. BROTLI makes compacted files ~3x smaller: worth switching once every reader has it.
 */
export const CODEC: CompressionCodec = 'SNAPPY'

/** Strings with few distinct values (site, type, country, browser...): dictionary-encoded whenever they repeat. */
export const LOW_CARDINALITY = new Set([
  'site',
  'type',
  'name',
  'host',
  'channel',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'click_id',
  'category',
  'currency',
  'element_tag',
  'screen',
  'language',
  'country',
  'region',
  'city',
  'continent',
  'timezone',
  'colo',
  'browser',
  'browser_version',
  'os',
  'os_version',
  'device_type',
  'device_vendor',
  'device_model',
  'bot_reason',
  'reason',
  'field',
])

/** Writes drop-ledger rows as one Parquet file. */
export function writeDrops(rows: readonly DropRow[]): ArrayBuffer {
  return writeRows(DROP_COLUMNS, rows)
}

function writeRows<R extends object>(columns: Columns, rows: readonly R[], options: WriteOptions = {}): ArrayBuffer {
  return writeColumns(columns, columnsOf(columns, rows), options)
}

/**
 * Rows -> one array per column (`undefined` where a row lacks the column), as `rows.map((r) => r[name])` per
 * column would give, in half its time (bench/cpu.mjs --consumer): a keyed read per cell with ~50 different
 * keys is slow in V8, while rows of one origin (the collector's, through the queue) share one key order, so
 * each row is read once with Object.values and its keys compared with the previous row's.
 */
function columnsOf(columns: Columns, rows: readonly object[]): unknown[][] {
  const index = new Map(columns.map((c, i) => [c.name, i]))
  const data = columns.map(() => new Array<unknown>(rows.length).fill(undefined))
  let keys: string[] = []
  let slots: (number | undefined)[] = []
  for (let j = 0; j < rows.length; j++) {
    const row = rows[j]!
    const k = Object.keys(row)
    if (k.length !== keys.length || k.some((key, i) => key !== keys[i])) (keys = k), (slots = k.map((key) => index.get(key)))
    const values = Object.values(row)
    for (let i = 0; i < values.length; i++) {
      const slot = slots[i]
      if (slot !== undefined) data[slot]![j] = values[i]
    }
  }
  return data
}

/** Writes rows given column-wise for any table's `columns` (compaction of events and the drop ledger). */
export function writeColumns(columns: Columns, data: readonly (readonly unknown[])[], options: WriteOptions = {}): ArrayBuffer {
  const rows = data[0]?.length ?? 0
  return parquetWriteBuffer({
    rowGroupSize: options.rowGroupSize ?? Math.max(rows, 1),
    codec: options.codec ?? CODEC,
    compressors: options.compressors,
    columnData: columns.map((c, i) => ({
      name: c.name,
      type: c.type,
      nullable: !c.required,
      data: data[i] as unknown[],
      ...(options.forceDictionary && c.type === 'STRING' && LOW_CARDINALITY.has(c.name) ? { encoding: 'RLE_DICTIONARY' as const } : {}),
    })),
    kvMetadata: [{ key: 'footfall.schema', value: String(SCHEMA_VERSION) }],
    createdBy: `footfall schema ${SCHEMA_VERSION}`,
  })
}

// ignoreBOM: true keeps a leading U+FEFF in the text (TextDecoder's default removes it, as if it marked the
// encoding): a stored "\uFEFF..." reads back as stored.
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

/**
 * hyparquet's parsers for lake strings and JSON: its defaults decode each value with a TextDecoder that drops
 * a leading U+FEFF, so a value that starts with one would lose it in compaction. Pass as `parsers`.
 */
export const READ_PARSERS = {
  stringFromBytes: (bytes: Uint8Array | undefined) => bytes && utf8.decode(bytes),
  jsonFromBytes: (bytes: Uint8Array | undefined) => bytes && JSON.parse(utf8.decode(bytes)),
}

/** Earliest and latest event time of rows (epoch ms). */
export function timeRange(rows: readonly EventRow[]): { minTime: number; maxTime: number } {
  let minTime = Infinity,
    maxTime = -Infinity
  for (const { event_time: t } of rows) {
    if (t < minTime) minTime = t
    if (t > maxTime) maxTime = t
  }
  return { minTime, maxTime }
}

/**
 * Why a value is not a row of `columns` (the first offending column), or null when the writer can encode it.
 * The consumer uses it to tell a poison message (never writable, however often retried) from a bad moment.
 */
export function rowProblem(columns: Columns, row: unknown): string | null {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'not an object'
  const r = row as Record<string, unknown>
  for (const c of columns) {
    const v = r[c.name]
    if (v === null || v === undefined) {
      if (c.required) return `${c.name}: required`
      continue
    }
    const ok =
      c.type === 'STRING'
        ? typeof v === 'string'
        : // JSON.stringify writes a lone surrogate as an escape ("\ud83d") that strict readers (native DuckDB) refuse.
          c.type === 'JSON'
          ? typeof v === 'object' && !Array.isArray(v) && wellFormedDeep(v)
          : c.type === 'BOOLEAN'
            ? typeof v === 'boolean'
            : c.type === 'INT32'
              ? Number.isInteger(v) && (v as number) >= TYPE_RANGES.INT32.min && (v as number) <= TYPE_RANGES.INT32.max
              : c.type === 'TIMESTAMP'
                ? Number.isSafeInteger(v) && (v as number) >= TYPE_RANGES.TIMESTAMP.min && (v as number) <= TYPE_RANGES.TIMESTAMP.max
                : typeof v === 'number' // DOUBLE
    if (!ok) return `${c.name}: not a ${c.type}`
  }
  return null
}
