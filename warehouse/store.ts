/**
 * Lake files held in an engine (engine.ts) the way the dashboard holds them, on any engine: events appended
 * once per file key to `events_raw` and merged into the deduplicated `events` table per load, then
 * sessionized once (warehouse/sql/load.ts); the drop ledger into `dropped_raw`; one local day's aggregates
 * at a time per day. The dashboard runs it on DuckDB-WASM in the browser (dashboard/src/db.ts); the goldens
 * run it on native DuckDB and DuckDB-WASM in Node (store.test.ts), so they test what the dashboard executes.
 */
import { joinBatches, type Batch, type Engine, type Result, type Row } from './engine.ts'
import type { SliceDim } from './aggregate/columns.ts'
import { AGGREGATE_SLICES, AGGREGATES } from './sql/aggregates.ts'
import { createAggregateSlices, createAggregates, createEventsTable } from './sql/ddl.ts'
import {
  adopt,
  createSessionsView,
  dropAggregateDays,
  dropLaterCopies,
  dropSlice,
  loadCounts,
  materialiseInSlices,
  memoryUsed,
  merge,
} from './sql/load.ts'
import type { Query } from './sql/query.ts'
import { freshVisitors, materialise, materialiseNew } from './sql/sessions.ts'

/** What a lake file is loaded as: events, the drop ledger, one local day's aggregates or their slices (warehouse/aggregate). */
export type LakeTable = 'events' | 'dropped' | 'aggregates' | 'slices'

/**
 * Events per slice when `visits` is built (`materialiseInSlices`): the sessions of 10M events built at once
 * need more than DuckDB-WASM's 3.1 GiB (the window over every event and its materialised copy), 1M fit.
 */
export const SLICE_EVENTS = 1_500_000

/** Where loading spent its time, ms (inserts summed over files; the last commit's merge and sessionization). */
export interface StoreTimings {
  insertMs: number
  mergeMs: number
  sessionizeMs: number
}

export class LakeStore<P extends string> {
  private loaded = new Set<string>()
  /** The aggregate file loaded for each day (its midnight, ms; slices: `<dim>@<midnight>`): a day file or its month's. */
  private aggregateKeys = new Map<string, string>()
  /** One connection runs one statement at a time, and a load's statements must not interleave with a query's: jobs queue here. */
  private queue: Promise<unknown>
  private engine!: Engine
  readonly timings: StoreTimings = { insertMs: 0, mergeMs: 0, sessionizeMs: 0 }

  /**
   * @param started the engine, once it has started (statements wait for it; one that fails to start fails them)
   * @param staging the staging table's DDL for each projection (the event columns held), `projection` first
   * @param extra DDL run once at the start besides the store's own (e.g. the drop ledger's staging table)
   */
  constructor(
    private started: Promise<Engine>,
    private staging: Record<P, string>,
    private projection: P,
    extra: readonly string[] = [],
  ) {
    this.queue = started.then(async (e) => {
      this.engine = e
      for (const ddl of [
        staging[projection],
        createEventsTable,
        createAggregates,
        createAggregateSlices,
        createSessionsView,
        ...extra,
        ...materialise(),
      ])
        await e.query(ddl)
    })
  }

  /** Runs `job` alone on the engine, after every job queued before it. */
  serial<T>(job: (e: Engine) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => this.started).then(() => job(this.engine))
    this.queue = next.catch(() => {})
    return next
  }

  has(key: string): boolean {
    return this.loaded.has(key)
  }

  /** The event columns held now. */
  get columns(): P {
    return this.projection
  }

  /** Makes the events hold the columns of projection `p`: the loaded events are dropped, to be loaded again. */
  async project(p: P): Promise<void> {
    if (p === this.projection) return
    for (const k of [...this.loaded]) if (k.startsWith('events/')) this.loaded.delete(k)
    this.projection = p
    await this.serial(async (e) => {
      for (const q of [`DROP TABLE events_raw`, this.staging[p], createEventsTable, ...materialise()]) await e.query(q)
    })
  }

  /**
   * Appends an events or ledger file to its staging table (once per key). `columns`: the projection the
   * batch was decoded for; an events batch of another projection than the one held now is not loaded (the
   * load that changed the projection loads it again).
   */
  async insert(
    key: string,
    batch: Batch | Promise<Batch>,
    table: Exclude<LakeTable, 'aggregates' | 'slices'> = 'events',
    columns: P = this.projection,
  ): Promise<void> {
    if (this.loaded.has(key)) return
    const b = await batch
    await this.serial(async (e) => {
      if (table === 'events' && columns !== this.projection) return
      const t = performance.now()
      await e.append(`${table}_raw`, b)
      this.timings.insertMs += performance.now() - t
      this.loaded.add(key)
    })
  }

  /**
   * Appends aggregate files in one job: a year is 365 day files (or 12 month files and the current month's
   * days). Each file replaces what was loaded for the days it holds (`days`, their midnights as UTC
   * instants): a rebuilt day is a new key, a month file holds its days' rows again; never a second copy of a
   * day. All in one append (a statement costs DuckDB-WASM ~15 ms whatever its size). With `dim`, the files
   * are slice files of that dimension (`aggregate_slices`), replaced day by day alike.
   */
  async insertAggregates(
    files: readonly { key: string; days: readonly number[]; batch: Batch | Promise<Batch> }[],
    dim?: SliceDim,
  ): Promise<void> {
    const fresh = files.filter((f) => !this.loaded.has(f.key))
    if (!fresh.length) return
    const batch = joinBatches(await Promise.all(fresh.map((f) => f.batch)))
    const slot = (d: number) => (dim ? `${dim}@${d}` : String(d))
    await this.serial(async (e) => {
      const t = performance.now()
      const stale = fresh.flatMap((f) => f.days).filter((d) => this.aggregateKeys.has(slot(d)))
      if (stale.length) await e.query(dropAggregateDays(stale, dim))
      // A file some of whose days are replaced no longer answers for any: loading it again replaces them all.
      for (const d of stale) this.loaded.delete(this.aggregateKeys.get(slot(d))!)
      await e.append(dim ? AGGREGATE_SLICES : AGGREGATES, batch)
      for (const f of fresh) {
        for (const d of f.days) this.aggregateKeys.set(slot(d), f.key)
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
   * Then sessionizes every loaded event once (`materialise()`: `visitor_keys`, `visits`, ...), which the
   * materialised scopes read instead of sessionizing per query; on later loads only the visitors the new
   * events touch (`materialiseNew()`).
   */
  async commit(): Promise<void> {
    await this.serial(async (e) => {
      let t = performance.now()
      // The first load of an empty lake becomes the table as it is, its duplicate ids (a hash count tells
      // whether there are any) deleted in place first; later loads merge.
      const [{ kept, dupes }] = (await e.query(loadCounts)).rows as [{ kept: number; dupes: number }]
      const first = kept === 0
      const raw = this.staging[this.projection]
      // Later loads cut again only the sessions of the visitors the new events touch.
      if (!first) await e.query(freshVisitors('events_raw'))
      for (const q of first ? [...(dupes ? [dropLaterCopies] : []), ...adopt(raw)] : merge(raw)) await e.query(q)
      this.timings.mergeMs = performance.now() - t
      t = performance.now()
      if (first) {
        const [{ n }] = (await e.query(`SELECT count(*) AS n FROM events`)).rows as [{ n: number }]
        try {
          for (const q of materialiseInSlices(Math.ceil(n / SLICE_EVENTS))) await e.query(q)
        } finally {
          await e.query(dropSlice)
        }
      } else for (const q of materialiseNew()) await e.query(q)
      this.timings.sessionizeMs = performance.now() - t
    })
  }

  /** The memory the engine holds (its tables and buffers), bytes. */
  async memory(): Promise<number> {
    const [r] = await this.run(memoryUsed)
    return Number(r?.m ?? 0)
  }

  /** Runs a parameterised query (the only way user-chosen values reach SQL). */
  async run(q: Query | string): Promise<Row[]> {
    return (await this.query(q)).rows
  }

  query(q: Query | string): Promise<Result> {
    return this.serial((e) => e.query(q))
  }

  /**
   * Runs SQL the owner typed or a link carried (a SQL console) so that it cannot change what other queries
   * read: one statement (prepared), a reading one (`READ_ONLY_START`), inside a transaction that is always
   * rolled back, in one serial slot, so no other query sees it half-done. A DELETE hidden in a CTE is undone
   * with the rest.
   */
  runReadOnly(text: string): Promise<Result> {
    return this.serial(async (e) => {
      const first = text
        .replace(/^(\s|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '')
        .match(/^[a-z]+|^\(/i)?.[0]
        ?.toUpperCase()
      if (!first || !READ_ONLY_START.has(first))
        throw new Error(`the console runs reading statements only (${[...READ_ONLY_START].filter((k) => k !== '(').join(', ')})`)
      await e.query(BEGIN)
      try {
        return await e.query(text, { one: true })
      } finally {
        await e.query(ROLLBACK)
      }
    })
  }
}

/**
 * The first keyword of a statement that reads: anything else (INSERT, DELETE, DROP, ATTACH, COPY, SET,
 * PRAGMA, INSTALL, ...) is refused before it reaches the engine, as some of those act outside a transaction.
 */
const READ_ONLY_START = new Set([
  'SELECT',
  'WITH',
  'FROM',
  'VALUES',
  'TABLE',
  'EXPLAIN',
  'DESCRIBE',
  'SUMMARIZE',
  'SHOW',
  'PIVOT',
  'UNPIVOT',
  '(',
])
const BEGIN = 'BEGIN TRANSACTION'
const ROLLBACK = 'ROLLBACK'
