/**
 * Rows <-> Parquet, with the columns of `schema.ts`. The consumer, the backfill and the tests all write
 * through `writeEvents`, so every file of the lake has the same schema.
 */
import { parquetWriteBuffer } from 'hyparquet-writer'
import { COLUMNS, SCHEMA_VERSION, type EventRow } from './schema.ts'

/** Writes rows as one Parquet file (SNAPPY, dictionary-encoded strings, schema version in the metadata). */
export function writeEvents(rows: readonly EventRow[]): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: COLUMNS.map((c) => ({
      name: c.name,
      type: c.type,
      nullable: !('required' in c && c.required),
      data: rows.map((r) => r[c.name]),
    })),
    kvMetadata: [{ key: 'footfall.schema', value: String(SCHEMA_VERSION) }],
    createdBy: `footfall schema ${SCHEMA_VERSION}`,
  })
}

/** Earliest and latest event time of rows (epoch ms). */
export function timeRange(rows: readonly EventRow[]): { minTime: number; maxTime: number } {
  let minTime = Infinity, maxTime = -Infinity
  for (const r of rows) {
    if (r.event_time < minTime) minTime = r.event_time
    if (r.event_time > maxTime) maxTime = r.event_time
  }
  return { minTime, maxTime }
}
