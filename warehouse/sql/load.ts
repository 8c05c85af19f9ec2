/**
 * The statements that hold loaded lake files in an engine as a deduplicated `events` table (what the
 * dashboard runs, and the goldens run on both engines: warehouse/store.ts): files are appended to the
 * staging table `events_raw`, merged into `events` once per load under the rule of the `events` view
 * (`FIRST_COPY_SQL`, warehouse/dedup.ts), then sessionized once (`materialise()` of sessions.ts).
 */
import type { SliceDim } from '../aggregate/columns.ts'
import { AGGREGATE_SLICES, AGGREGATES } from './aggregates.ts'
import { FIRST_COPY_ORDER, FIRST_COPY_SQL } from '../dedup.ts'
import { visitorKey, VISITOR_KEYS } from './events.ts'
import { inlined } from './query.ts'
import { materialise, sessions, VISITS } from './sessions.ts'

/** Counts what a load brings: rows already kept, and duplicate ids among the staged rows (kept, dupes). */
export const loadCounts = `SELECT (SELECT count(*) FROM events) AS kept, (SELECT count(*) - count(DISTINCT event_id) FROM events_raw) AS dupes`

/** Deletes from the staging table every copy of an event id but the one `FIRST_COPY_SQL` keeps. */
export const dropLaterCopies = `DELETE FROM events_raw WHERE rowid IN (
  SELECT rowid FROM (SELECT rowid, row_number() OVER (${FIRST_COPY_ORDER}) AS n FROM events_raw
    WHERE event_id IN (SELECT event_id FROM events_raw GROUP BY event_id HAVING count(*) > 1))
  WHERE n > 1)`

/**
 * `events` is empty and every staged row unique: the staging table becomes `events`, nothing copied, rows in
 * load order (files in time order, each sorted by time: what lets a time range skip row groups); a new
 * staging table (`createRaw`) takes the next load.
 */
export const adopt = (createRaw: string) => [`DROP TABLE events`, `ALTER TABLE events_raw RENAME TO events`, createRaw]

/** Merges the staged rows into `events` under `FIRST_COPY_SQL`, then starts an empty staging table (`createRaw`). */
export const merge = (createRaw: string) => [
  // A copy received earlier than the kept row replaces it (by event id alone: a store holds one site).
  `DELETE FROM events WHERE event_id IN (SELECT s.event_id FROM events_raw s JOIN events e USING (event_id) WHERE s.received_time < e.received_time)`,
  // By name: `events` also holds the column `materialise()` adds (`vid`), set by `materialiseNew()`.
  `INSERT INTO events BY NAME SELECT * FROM (SELECT * FROM events_raw QUALIFY ${FIRST_COPY_SQL}) s
   WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = s.event_id)`,
  // Dropping (not deleting from) the staging table gives its blocks back.
  `DROP TABLE events_raw`,
  createRaw,
]

/** Drops the loaded aggregate rows (or the slices by `dim`) of these local days (midnights, ms): a newer file replaces them. */
export function dropAggregateDays(days: readonly number[], dim?: SliceDim): string {
  // (`dim` is one of SLICE_DIMS: plain identifiers, safe to inline.)
  const which = dim ? `${AGGREGATE_SLICES} WHERE fdim = '${dim}' AND` : `${AGGREGATES} WHERE`
  return `DELETE FROM ${which} day IN (${days.map((d) => `make_timestamp(${Math.round(d) * 1000})`).join(', ')})`
}

/**
 * `materialise()` with `visits` built in `slices` passes, each over the events of one slice of the
 * canonical visitors (a hash of the key): a visitor's sessions are cut from all of its events in one pass,
 * so the sessions are the same as in one pass, and each pass needs 1/slices of the memory (the sessions of
 * 10M events built at once need more than DuckDB-WASM's 3.1 GiB). Each pass reads `events` through a
 * temporary view of that name (the library's SQL reads `events`), which shadows the table; `dropSlice`
 * removes it: run it after these statements also when one failed.
 */
export function materialiseInSlices(slices: number, database = 'memory'): string[] {
  const all = materialise()
  if (slices <= 1) return all
  // The last statement builds `visits`; those before it (visitor keys and numbers, the other per-load tables) run once.
  const visits = all.at(-1)!
  const create = `CREATE OR REPLACE TABLE ${VISITS} AS `
  if (!visits.startsWith(create)) throw new Error('sessions.ts changed: visits is no longer built last, by CREATE OR REPLACE TABLE')
  const insert = `INSERT INTO ${VISITS} ${visits.slice(create.length)}`
  const out = all.slice(0, -1)
  for (let i = 0; i < slices; i++) {
    out.push(
      `CREATE OR REPLACE TEMP VIEW events AS SELECT e.* FROM "${database}".main.events e LEFT JOIN ${VISITOR_KEYS} k ON k.v = e.visitor_id WHERE hash(${visitorKey('k.root', 'e')}) % ${slices} = ${i}`,
      i === 0 ? visits : insert,
    )
  }
  out.push(dropSlice)
  return out
}

export const dropSlice = `DROP VIEW IF EXISTS temp.main.events`

/**
 * `sessions` for a SQL console: the library's sessions of every loaded event (bots included). A view cannot
 * hold parameters, so this one query's own constants (numbers, ISO times, no user input) are written in.
 */
export const createSessionsView = `CREATE OR REPLACE VIEW sessions AS ${inlined(sessions({ from: 0, to: 253_402_300_799_000 }, { bots: true, lookbackMs: 0 }))}`

/** What the SQL console shows before the owner types: events by type. */
export const CONSOLE_EXAMPLE = 'SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY n DESC'

/** The memory the engine holds (its tables and buffers), bytes (m). */
export const memoryUsed = `SELECT sum(memory_usage_bytes)::BIGINT AS m FROM duckdb_memory()`
