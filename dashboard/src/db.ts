/**
 * DuckDB-WASM in a Web Worker, served by our own worker (no CDN): the engine's files live under
 * /dashboard/duckdb/. Lake files are loaded once each (they are immutable): events into `events_raw` (a
 * staging table, merged into the deduplicated `events` table and emptied after each load), the drop
 * ledger into `dropped_raw`.
 */
import { AsyncDuckDB, VoidLogger, type AsyncDuckDBConnection } from '@duckdb/duckdb-wasm'
import { DataType, Table, tableFromIPC } from 'apache-arrow'
import { OVERVIEW_COLUMNS } from './panels.ts'
import { createAggregates, createEventsRaw, createEventsRawOf, createEventsView } from '../../warehouse/sql/ddl.ts'
import { AGGREGATES } from '../../warehouse/sql/aggregates.ts'
import type { Query } from '../../warehouse/sql/query.ts'
import { parquetToArrowIPC, SHAPES, type Shape } from './decode.ts'
import { createDroppedRaw } from './queries/dropped.ts'
import { freshVisitors, materialise, materialiseNew, sessions, VISITS } from '../../warehouse/sql/sessions.ts'
import { VISITOR_KEYS } from '../../warehouse/sql/events.ts'
import { inlined } from '../../warehouse/sql/query.ts'
import { FIRST_COPY_SQL } from '../../warehouse/dedup.ts'

export type Row = Record<string, unknown>

/** A file being decoded, and the columns it will have. */
export interface Decoded {
  shape: Shape
  ipc: Promise<Uint8Array>
}

let decoder: Worker | null = null
let nextId = 0
const waiting = new Map<number, { resolve: (ipc: Uint8Array) => void; reject: (e: Error) => void }>()

/** Decodes in the decode worker (the buffer is handed over); on the main thread where workers are missing. */
function decodeOffThread(file: ArrayBuffer, shape: Shape): Promise<Uint8Array> {
  if (typeof Worker === 'undefined') return parquetToArrowIPC(file, SHAPES[shape])
  if (!decoder) {
    decoder = new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module' })
    decoder.onmessage = (e: MessageEvent<{ id: number; ipc?: Uint8Array; error?: string }>) => {
      const w = waiting.get(e.data.id)
      waiting.delete(e.data.id)
      if (e.data.ipc) w?.resolve(e.data.ipc)
      else w?.reject(new Error(`decoding a lake file: ${e.data.error}`))
    }
  }
  const id = nextId++
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject })
    decoder!.postMessage({ id, file, shape }, [file])
  })
}

/** The staging table of each projection. */
const RAW: Record<'overview' | 'all', string> = { overview: createEventsRawOf(OVERVIEW_COLUMNS), all: createEventsRaw }
/** What a lake file is loaded as: events, the drop ledger, or one local day's aggregates (warehouse/aggregate). */
export type LakeTable = 'events' | 'dropped' | 'aggregates'

export interface Result {
  columns: string[]
  rows: Row[]
}

/**
 * Which event columns are loaded: `overview` reads only the columns the overview's panels and the
 * sessions read (`OVERVIEW_COLUMNS`, the others stay NULL), `all` every column. Views that need more
 * (SQL console, users, funnels, ...) ask for `all`: the events are then loaded again, from Cache Storage.
 */
export type Projection = 'overview' | 'all'

export class Lake {
  private loaded = new Set<string>()
  /** The aggregate file loaded for each day (its midnight, ms): a day file or its month's. */
  private aggregateKeys = new Map<number, string>()
  /** One connection runs one statement at a time: panels query at once, so they queue here. */
  private queue: Promise<unknown>
  private conn!: AsyncDuckDBConnection
  /** The columns the loaded events hold (nothing loaded yet: whatever the first load asks for). */
  private projection: Projection = 'overview'
  private constructor(
    private started: Promise<AsyncDuckDBConnection>,
    /** Where loading spent its time, ms (decode and insert summed over files; the last commit's merge and sessionization), for the bench. */
    readonly timings: { openMs: number; decodeMs: number; insertMs: number; mergeMs: number; sessionizeMs: number; duckdbBytes?: number },
  ) {
    this.queue = started.then((c) => void (this.conn = c))
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    // Every job waits for the engine: one that failed to start fails each of them with its error.
    const next = this.queue.then(() => this.started).then(job)
    this.queue = next.catch(() => {})
    return next
  }

  /**
   * Starts DuckDB and returns at once: files are listed, downloaded and decoded while the engine starts;
   * statements wait for it (an engine that fails to start fails them).
   */
  static open(): Lake {
    const t = performance.now()
    const timings = { openMs: 0, decodeMs: 0, insertMs: 0, mergeMs: 0, sessionizeMs: 0 }
    return new Lake(
      (async () => {
        const base = new URL('duckdb/', new URL(import.meta.env.BASE_URL, location.origin))
        const db = new AsyncDuckDB(new VoidLogger(), new Worker(new URL('duckdb-browser-eh.worker.js', base)))
        await db.instantiate(new URL('duckdb-eh.wasm', base).href)
        const conn = await db.connect()
        for (const ddl of [RAW.overview, createEventsTable, createDroppedRaw, createAggregates, createSessionsView, ...materialise()]) await conn.query(ddl)
        timings.openMs = performance.now() - t
        return conn
      })(),
      timings,
    )
  }

  /** Resolves when the engine has started (rejects if it could not). */
  ready(): Promise<void> {
    return this.serial(async () => {})
  }

  has(key: string): boolean {
    return this.loaded.has(key)
  }

  /** Makes the events hold at least the columns of `p`: from `overview` to `all`, drops them to load again. */
  async project(p: Projection): Promise<void> {
    if (p === this.projection || this.projection === 'all') return
    for (const k of [...this.loaded]) if (k.startsWith('events/')) this.loaded.delete(k)
    this.projection = p
    await this.serial(async () => {
      for (const q of [`DROP TABLE events_raw`, RAW[p], createEventsTable, ...materialise()]) await this.conn.query(q)
    })
  }

  /** Decodes a lake file for `table` (in a Web Worker): start it as soon as the file is there. */
  decode(parquet: ArrayBuffer, table: LakeTable = 'events'): Decoded {
    const shape: Shape = table === 'events' ? this.projection : table
    const t = performance.now()
    const ipc = decodeOffThread(parquet, shape).then((ipc) => ((this.timings.decodeMs += performance.now() - t), ipc))
    ipc.catch(() => {}) // awaited by `insert`
    return { shape, ipc }
  }

  /** Appends a decoded events or ledger file to its staging table (once per key). */
  async insert(key: string, decoded: Decoded, table: Exclude<LakeTable, 'aggregates'> = 'events'): Promise<void> {
    if (this.loaded.has(key)) return
    const ipc = await decoded.ipc
    await this.serial(async () => {
      // Decoded before `project` asked for more columns: loaded again by the load that asked.
      if (table === 'events' && decoded.shape !== this.projection) return
      const t = performance.now()
      await this.conn.insertArrowFromIPCStream(ipc, { name: `${table}_raw`, create: false })
      this.timings.insertMs += performance.now() - t
      this.loaded.add(key)
    })
  }

  /**
   * Appends decoded aggregate files in one insert: a year is 365 day files (or 12 month files and the
   * current month's days), and each statement costs the engine ~15 ms whatever its size. Each file replaces
   * what was loaded for the days it holds (`days`, their midnights as UTC instants): a rebuilt day is a new
   * key, a month file holds its days' rows again; never a second copy of a day.
   */
  async insertAggregates(files: readonly { key: string; decoded: Decoded; days: readonly number[] }[]): Promise<void> {
    const fresh = files.filter((f) => !this.loaded.has(f.key))
    if (!fresh.length) return
    const ipcs = await Promise.all(fresh.map((f) => f.decoded.ipc))
    await this.serial(async () => {
      const t = performance.now()
      const stale = fresh.flatMap((f) => f.days).filter((d) => this.aggregateKeys.has(d))
      if (stale.length) await this.conn.query(`DELETE FROM ${AGGREGATES} WHERE day IN (${stale.map((d) => `make_timestamp(${Math.round(d) * 1000})`).join(', ')})`)
      // A file some of whose days are replaced no longer answers for any: loading it again replaces them all.
      for (const d of stale) this.loaded.delete(this.aggregateKeys.get(d)!)
      const batches = ipcs.flatMap((ipc) => tableFromIPC(ipc).batches).filter((b) => b.numRows > 0)
      if (batches.length) await this.conn.insertArrowTable(new Table(batches), { name: AGGREGATES, create: false })
      for (const f of fresh) {
        for (const d of f.days) this.aggregateKeys.set(d, f.key)
        this.loaded.add(f.key)
      }
      this.timings.insertMs += performance.now() - t
    })
  }

  /**
   * Merges the newly loaded files (`events_raw`) into `events`, one row per event id, the one received
   * first, as the library's `events` view defines it; then empties the staging table. Deduplicating once
   * per load instead of in every panel query (what the view costs), and holding the events once, not
   * twice (raw and deduplicated), is what lets 1M events fit DuckDB-WASM's memory.
   * Then sessionizes every loaded event once (`materialise()` of the SQL library: `visitor_keys`,
   * `visits`), which the panels' materialised scopes read instead of sessionizing per panel; on later
   * loads only the visitors the new events touch (`materialiseNew()`).
   */
  async commit(): Promise<void> {
    await this.serial(async () => {
      let t = performance.now()
      // The first load of an empty lake becomes the table as it is, its duplicate ids (a hash count tells
      // whether there are any) deleted in place first; later loads merge.
      const check = await this.conn.query(`SELECT (SELECT count(*) FROM events) AS kept, (SELECT count(*) - count(DISTINCT event_id) FROM events_raw) AS dupes`)
      const { kept, dupes } = check.toArray()[0]!.toJSON() as { kept: bigint; dupes: bigint }
      const first = Number(kept) === 0
      // Later loads cut again only the sessions of the visitors the new events touch.
      if (!first) await this.conn.query(freshVisitors('events_raw'))
      for (const q of first ? [...(Number(dupes) ? [dropLaterCopies] : []), ...adopt(this.projection)] : merge(this.projection)) await this.conn.query(q)
      this.timings.mergeMs = performance.now() - t
      t = performance.now()
      if (first) {
        const count = await this.conn.query(`SELECT count(*) AS n FROM events`)
        const statements = materialiseInSlices(Math.ceil(Number(count.toArray()[0]!.toJSON().n) / SLICE_EVENTS))
        try {
          for (const q of statements) await this.conn.query(q)
        } finally {
          await this.conn.query(dropSlice)
        }
      } else for (const q of materialiseNew()) await this.conn.query(q)
      this.timings.sessionizeMs = performance.now() - t
    })
  }

  /** Notes the memory DuckDB holds (its tables and buffers) in `timings.duckdbBytes`, for the bench. */
  async noteMemory(): Promise<void> {
    const [r] = await this.run({ sql: `SELECT sum(memory_usage_bytes)::BIGINT AS m FROM duckdb_memory()`, params: [] })
    this.timings.duckdbBytes = Number(r?.m ?? 0)
  }

  /** Runs a parameterised query (the only way user-chosen values reach SQL). */
  async run(q: Query): Promise<Row[]> {
    return (await this.runWithColumns(q)).rows
  }

  runWithColumns(q: Query): Promise<Result> {
    return this.serial(() => this.exec(q))
  }

  /**
   * Runs SQL the owner typed or a link carried (the SQL console) so that it cannot change what the other
   * views read: one statement (a prepared statement holds exactly one), a reading one (READ_ONLY_START),
   * run inside a transaction that is always rolled back, in the same serial slot, so no other query sees it
   * half-done. A DELETE hidden in a CTE is undone with the rest.
   */
  runReadOnly(sql: string): Promise<Result> {
    return this.serial(async () => {
      const first = sql.replace(/^(\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '').match(/^[a-z]+|^\(/i)?.[0]?.toUpperCase()
      if (!first || !READ_ONLY_START.has(first)) throw new Error(`the console runs reading statements only (${[...READ_ONLY_START].filter((k) => k !== '(').join(', ')})`)
      await this.conn.query('BEGIN TRANSACTION')
      try {
        const stmt = await this.conn.prepare(sql)
        try {
          return result(await stmt.query())
        } finally {
          await stmt.close()
        }
      } finally {
        await this.conn.query('ROLLBACK')
      }
    })
  }

  private async exec(q: Query): Promise<Result> {
    if (!q.params.length) return result(await this.conn.query(q.sql))
    const stmt = await this.conn.prepare(q.sql)
    try {
      return result(await stmt.query(...q.params))
    } finally {
      await stmt.close()
    }
  }
}

/**
 * The first keyword of a statement that reads: anything else (INSERT, DELETE, DROP, ATTACH, COPY, SET,
 * PRAGMA, INSTALL, ...) is refused before it reaches the engine, as some of those act outside a transaction.
 */
const READ_ONLY_START = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'EXPLAIN', 'DESCRIBE', 'SUMMARIZE', 'SHOW', 'PIVOT', 'UNPIVOT', '('])

/** Plain JS rows: BIGINT as number (counts fit a double), timestamps as "YYYY-MM-DD HH:MM:SS" (UTC). */
function result(table: Table): Result {
  const fields = table.schema.fields
  const rows = table.toArray().map((r) => {
    const o = r.toJSON() as Row
    for (const f of fields) {
      const v = o[f.name]
      if (typeof v === 'bigint') o[f.name] = Number(v)
      // HUGEINT (sum of integers) and DECIMAL arrive as Arrow decimals: a big integer scaled by 10^scale.
      else if (v !== null && v !== undefined && DataType.isDecimal(f.type)) o[f.name] = Number(String(v).replace(/"/g, '')) / 10 ** f.type.scale
      if (v !== null && v !== undefined && (DataType.isTimestamp(f.type) || DataType.isDate(f.type))) o[f.name] = timeText(Number(v))
    }
    return o
  })
  return { columns: fields.map((f) => f.name), rows }
}

export function timeText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

/** The library's `events` view (warehouse/sql/ddl.ts), materialised: created empty, then merged into. */
const createEventsTable = createEventsView.replace('CREATE OR REPLACE VIEW events AS', 'CREATE OR REPLACE TABLE events AS')
if (createEventsTable === createEventsView) throw new Error('ddl.ts changed: events is no longer CREATE OR REPLACE VIEW')
/**
 * `events` is empty and every loaded row unique: the staging table becomes `events`, nothing copied, rows in
 * load order (files in time order, each sorted by time: what lets a time range skip row groups).
 */
const adopt = (p: Projection) => [`DROP TABLE events`, `ALTER TABLE events_raw RENAME TO events`, RAW[p]]
/** Deletes from the staging table every copy of an event id but the one received first (the `events` view's). */
const dropLaterCopies = `DELETE FROM events_raw WHERE rowid IN (
  SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY event_id ORDER BY received_time) AS n FROM events_raw
    WHERE event_id IN (SELECT event_id FROM events_raw GROUP BY event_id HAVING count(*) > 1))
  WHERE n > 1)`
const merge = (p: Projection) => [
  // A duplicate received earlier than the kept row replaces it (the view keeps the first received).
  `DELETE FROM events WHERE event_id IN (SELECT s.event_id FROM events_raw s JOIN events e USING (event_id) WHERE s.received_time < e.received_time)`,
  // By name: `events` also holds the column `materialise()` adds (`vid`), set by `materialiseNew()`.
  `INSERT INTO events BY NAME SELECT * FROM (SELECT * FROM events_raw QUALIFY ${FIRST_COPY_SQL}) s
   WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = s.event_id)`,
  // Dropping (not deleting from) the staging table gives its blocks back.
  `DROP TABLE events_raw`,
  RAW[p],
]

/**
 * Events per slice when `visits` is built: the sessions of 10M events built at once need more than
 * DuckDB-WASM's 3.1 GiB (the window over every event and its materialised copy), 1M fit.
 */
export const SLICE_EVENTS = 1_500_000

/** The canonical visitor key of an event, as the SQL library's materialised scopes compute it (`events.ts`). */
const VK = `coalesce(k.root, e.visitor_id, 'event:' || e.event_id)`

/**
 * `materialise()` of the SQL library, with `visits` built in `slices` passes, each over the events of one
 * slice of the canonical visitors (a hash of the key): a visitor's sessions are cut from all of its events
 * in one pass, so the sessions are the same as in one pass, and each pass needs 1/slices of the memory.
 * Each pass reads `events` through a temporary view of that name (the library's SQL reads `events`), which
 * shadows the table; `dropSlice` removes it, run it after these statements also when one failed.
 */
export function materialiseInSlices(slices: number, database = 'memory'): string[] {
  const all = materialise()
  if (slices <= 1) return all
  // The last statement builds `visits`; those before it (visitor keys and numbers, the other per-load tables) run once.
  const visits = all.at(-1)!
  const insert = visits.replace(`CREATE OR REPLACE TABLE ${VISITS} AS `, `INSERT INTO ${VISITS} `)
  if (!visits.startsWith(`CREATE OR REPLACE TABLE ${VISITS} AS `)) throw new Error('sessions.ts changed: visits is no longer built last, by CREATE OR REPLACE TABLE')
  const out = all.slice(0, -1)
  for (let i = 0; i < slices; i++) {
    out.push(
      `CREATE OR REPLACE TEMP VIEW events AS SELECT e.* FROM "${database}".main.events e LEFT JOIN ${VISITOR_KEYS} k ON k.v = e.visitor_id WHERE hash(${VK}) % ${slices} = ${i}`,
      i === 0 ? visits : insert,
    )
  }
  out.push(dropSlice)
  return out
}

export const dropSlice = `DROP VIEW IF EXISTS temp.main.events`

/**
 * `sessions` for the SQL console: the SQL library's sessions of every loaded event (bots included). A view
 * cannot hold parameters, so this one query's own constants (numbers, ISO times, no user input) are
 * written in as literals.
 */
const createSessionsView = `CREATE OR REPLACE VIEW sessions AS ${inlined(sessions({ from: 0, to: 253_402_300_799_000 }, { bots: true, lookbackMs: 0 }))}`
