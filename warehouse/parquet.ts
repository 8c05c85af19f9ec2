/**
 * Rows <-> Parquet, with the columns of `schema.ts`. The consumer, the backfill and the tests all write
 * through `writeEvents`, so every file of the lake has the same schema.
 */
import { parquetWriteBuffer } from 'hyparquet-writer'
import { COLUMNS, DROP_COLUMNS, SCHEMA_VERSION, type ColumnType, type DropRow, type EventRow } from './schema.ts'

export type Columns = readonly { name: string; type: ColumnType; required?: boolean }[]

/** Writes events as one Parquet file (SNAPPY, dictionary-encoded strings, schema version in the metadata). */
export function writeEvents(rows: readonly EventRow[], options: WriteOptions = {}): ArrayBuffer {
  return writeRows(COLUMNS, rows, options)
}

export interface WriteOptions {
  /** Rows per row group (default: one group for a part; compaction passes its own). */
  rowGroupSize?: number
}

/** Writes drop-ledger rows as one Parquet file. */
export function writeDrops(rows: readonly DropRow[]): ArrayBuffer {
  return writeRows(DROP_COLUMNS, rows)
}

function writeRows<R extends object>(columns: Columns, rows: readonly R[], options: WriteOptions = {}): ArrayBuffer {
  return parquetWriteBuffer({
    rowGroupSize: options.rowGroupSize ?? Math.max(rows.length, 1),
    columnData: columns.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: !c.required,
      data: rows.map((r) => (r as Record<string, unknown>)[c.name]),
    })),
    kvMetadata: [{ key: 'footfall.schema', value: String(SCHEMA_VERSION) }],
    createdBy: `footfall schema ${SCHEMA_VERSION}`,
  })
}

/** Earliest and latest event time of rows (epoch ms). */
export function timeRange(rows: readonly EventRow[]): { minTime: number; maxTime: number } {
  let minTime = Infinity, maxTime = -Infinity
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
      c.type === 'STRING' ? typeof v === 'string'
      : c.type === 'JSON' ? typeof v === 'object' && !Array.isArray(v)
      : c.type === 'BOOLEAN' ? typeof v === 'boolean'
      : c.type === 'INT32' ? Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31
      : c.type === 'TIMESTAMP' ? Number.isSafeInteger(v) && Math.abs(v as number) < 8.64e15
      : typeof v === 'number' // DOUBLE
    if (!ok) return `${c.name}: not a ${c.type}`
  }
  return null
}
