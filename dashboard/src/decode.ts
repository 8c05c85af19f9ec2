/**
 * Parquet -> Arrow IPC for DuckDB-WASM. DuckDB-WASM has no built-in Parquet reader (it would download the
 * extension from a CDN), so hyparquet decodes the file here and DuckDB ingests the Arrow stream.
 */
import { parquetRead, parquetMetadata } from 'hyparquet'
import { Bool, Float64, Int32, Table, TimestampMillisecond, Utf8, tableToIPC, vectorFromArray, type DataType } from 'apache-arrow'
import { COLUMNS, type ColumnType } from '../../warehouse/schema.ts'

const ARROW: Record<ColumnType, () => DataType> = {
  STRING: () => new Utf8(),
  JSON: () => new Utf8(),
  TIMESTAMP: () => new TimestampMillisecond(),
  INT32: () => new Int32(),
  DOUBLE: () => new Float64(),
  BOOLEAN: () => new Bool(),
}

type Columns = readonly { name: string; type: ColumnType }[]

/** Decodes one lake file into an Arrow IPC stream with exactly the given columns (events by default). */
export async function parquetToArrowIPC(file: ArrayBuffer, columnsOf: Columns = COLUMNS): Promise<Uint8Array> {
  const rows = Number(parquetMetadata(file).num_rows)
  const columns = new Map<string, unknown[]>()
  await parquetRead({
    file,
    onChunk({ columnName, columnData, rowStart }) {
      let col = columns.get(columnName)
      if (!col) columns.set(columnName, (col = new Array(rows).fill(null)))
      for (let i = 0; i < columnData.length; i++) col[rowStart + i] = columnData[i]
    },
  })
  const vectors = Object.fromEntries(
    columnsOf.map((c) => {
      const values = columns.get(c.name) ?? new Array(rows).fill(null)
      return [c.name, vectorFromArray(values.map((v) => toArrowValue(c.type, v)), ARROW[c.type]())]
    }),
  )
  return tableToIPC(new Table(vectors), 'stream')
}

function toArrowValue(type: ColumnType, v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (type === 'TIMESTAMP') return v instanceof Date ? v.getTime() : Number(v)
  if (type === 'JSON') return typeof v === 'string' ? v : JSON.stringify(v)
  if (type === 'INT32' || type === 'DOUBLE') return Number(v)
  return v
}
