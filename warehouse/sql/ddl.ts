/**
 * DuckDB DDL for the loaded lake, from the one schema. The dashboard (DuckDB-WASM) and native DuckDB
 * (CLI, tests) both create `events_raw` from this and query the deduplicated `events` view.
 */
import { COLUMNS, type ColumnType } from '../schema.ts'
import { AGGREGATE_COLUMNS, SLICE_COLUMNS } from '../aggregate/columns.ts'
import { AGGREGATE_SLICES, AGGREGATES } from './aggregates.ts'
import { literal } from './query.ts'
import { FIRST_COPY_SQL } from '../dedup.ts'

const DUCK_TYPES: Record<ColumnType, string> = {
  STRING: 'VARCHAR',
  JSON: 'VARCHAR', // JSON text; DuckDB's json functions parse it where needed
  TIMESTAMP: 'TIMESTAMP',
  INT32: 'INTEGER',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
}

/** `CREATE TABLE events_raw (...)` with every lake column. */
export const createEventsRaw = createEventsRawOf(COLUMNS.map((c) => c.name))

/** `CREATE TABLE events_raw (...)` with only these lake columns (a projection), in the schema's order. */
export function createEventsRawOf(names: readonly string[]): string {
  return `CREATE TABLE IF NOT EXISTS events_raw (${COLUMNS.filter((c) => names.includes(c.name))
    .map((c) => `"${c.name}" ${DUCK_TYPES[c.type]}`)
    .join(', ')})`
}

/** `CREATE TABLE aggregates (...)`: the aggregate tier's columns (warehouse/aggregate/columns.ts), which the dashboard and the CLI fill. */
export const createAggregates = `CREATE TABLE IF NOT EXISTS ${AGGREGATES} (${AGGREGATE_COLUMNS.map((c) => `"${c.name}" ${DUCK_TYPES[c.type]}`).join(', ')})`

/** `CREATE TABLE aggregate_slices (...)`: the slices' columns (`SLICE_COLUMNS`), filled as `aggregates` is. */
export const createAggregateSlices = `CREATE TABLE IF NOT EXISTS ${AGGREGATE_SLICES} (${SLICE_COLUMNS.map((c) => `"${c.name}" ${DUCK_TYPES[c.type]}`).join(', ')})`

/**
 * `events`: the lake as readers must see it. Queues deliver at least once, so the same event can sit in
 * two part files until compaction merges them: keep one row per site and event id, the copy received first
 * (`FIRST_COPY_SQL`, warehouse/dedup.ts). Per site: a directory holding several sites' files may hold the
 * same id in two of them. As a view.
 */
export const createEventsView = `CREATE OR REPLACE VIEW events AS
  SELECT * FROM events_raw QUALIFY ${FIRST_COPY_SQL}`

/** `events` as a table (the dashboard's: built once per load, and `materialise()` adds a column to it). */
export const createEventsTable = `CREATE OR REPLACE TABLE events AS
  SELECT * FROM events_raw QUALIFY ${FIRST_COPY_SQL}`

/**
 * `events` deduplicated once into a table, for a reader that runs several queries over the same files (the
 * CLI's `report`; the dedup is the largest part of each query's time, bench/RESULTS.md), after
 * `createEventsView`.
 */
export const materialiseEvents = [
  'CREATE TABLE events_once AS SELECT * FROM events',
  'CREATE OR REPLACE VIEW events AS SELECT * FROM events_once',
]

/**
 * `events_raw` as a view over Parquet files (native DuckDB only: DuckDB-WASM has no offline Parquet
 * reader). Nothing is copied: each query streams the files, so the CLI handles lakes larger than memory.
 * Columns are cast to the schema's types and files of an older schema get NULL for newer columns.
 * @param files local paths, globs, or `s3://`/`r2://` URLs (httpfs)
 */
export function eventsRawOver(files: readonly string[]): string {
  if (!files.length) return createEventsRaw
  const list = files.map((f) => literal(f).sql).join(', ')
  return `CREATE OR REPLACE VIEW events_raw AS SELECT ${COLUMNS.map(
    (c) => `CAST("${c.name}" AS ${DUCK_TYPES[c.type]}) AS "${c.name}"`,
  ).join(', ')} FROM read_parquet([${list}], union_by_name = true)`
}
