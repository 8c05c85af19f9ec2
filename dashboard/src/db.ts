/**
 * DuckDB-WASM in a Web Worker, served by our own worker (no CDN): the engine's files live under
 * /dashboard/duckdb/. Lake files are loaded once each (they are immutable): events into `events_raw` (a
 * staging table, merged into the deduplicated `events` table and emptied after each load), the drop
 * ledger into `dropped_raw`.
 */
import { AsyncDuckDB, VoidLogger, type AsyncDuckDBConnection } from '@duckdb/duckdb-wasm'
import { Table, tableFromIPC } from 'apache-arrow'
import { OVERVIEW_COLUMNS } from './panels.ts'
import { arrowResult } from '../../warehouse/arrow-result.ts'
import { asQuery, type Batch, type Engine, type Result, type Row } from '../../warehouse/engine.ts'
import { createEventsRaw, createEventsRawOf } from '../../warehouse/sql/ddl.ts'
import type { Query } from '../../warehouse/sql/query.ts'
import { LakeStore, type LakeTable } from '../../warehouse/store.ts'
import type { SliceDim } from '../../warehouse/aggregate/columns.ts'
import { parquetToArrowIPC, SHAPES, type Shape } from './decode.ts'
import { createDroppedRaw } from '../../warehouse/sql/dropped.ts'

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
const RAW: Record<Projection, string> = { overview: createEventsRawOf(OVERVIEW_COLUMNS), all: createEventsRaw }
export type { LakeTable }
export type { Result, Row }

/**
 * Which event columns are loaded: `overview` reads only the columns the overview's panels and the
 * sessions read (`OVERVIEW_COLUMNS`, the others stay NULL), `all` every column. Views that need more
 * (SQL console, users, funnels, ...) ask for `all`: the events are then loaded again, from Cache Storage.
 */
export type Projection = 'overview' | 'all'

/** DuckDB-WASM in the browser as an `Engine` (warehouse/engine.ts). */
class BrowserEngine implements Engine {
  constructor(readonly conn: AsyncDuckDBConnection) {}

  async query(q: Query | string, o: { one?: boolean } = {}): Promise<Result> {
    const { sql, params } = asQuery(q)
    if (!params.length && !o.one) return arrowResult(await this.conn.query(sql))
    const stmt = await this.conn.prepare(sql)
    try {
      return arrowResult(await stmt.query(...params))
    } finally {
      await stmt.close()
    }
  }

  async append(table: string, batch: Batch): Promise<void> {
    if (!('arrow' in batch)) throw new Error('DuckDB-WASM appends Arrow (decode Parquet first)')
    if (batch.arrow.length === 1) return void (await this.conn.insertArrowFromIPCStream(batch.arrow[0]!, { name: table, create: false }))
    // Several files in one statement (each costs the engine ~15 ms whatever its size).
    const batches = batch.arrow.flatMap((ipc) => tableFromIPC(ipc).batches).filter((b) => b.numRows > 0)
    if (batches.length) await this.conn.insertArrowTable(new Table(batches), { name: table, create: false })
  }
}

/** The loaded lake of the dashboard: DuckDB-WASM holding lake files as `LakeStore` holds them (warehouse/store.ts). */
export class Lake {
  private constructor(
    private store: LakeStore<Projection>,
    /** Where loading spent its time, ms (the engine's download, compile and start; then its tables; decode summed over files), for the bench. */
    private own: { instantiateMs: number; openMs: number; decodeMs: number; duckdbBytes?: number },
  ) {}

  /** Where loading spent its time, ms: the engine's start, decode and insert summed over files, the last commit's merge and sessionization. */
  get timings() {
    return { ...this.own, ...this.store.timings }
  }

  /**
   * Starts DuckDB and returns at once: files are listed, downloaded and decoded while the engine starts;
   * statements wait for it (an engine that fails to start fails them).
   */
  static open(): Lake {
    const t = performance.now()
    const own = { instantiateMs: 0, openMs: 0, decodeMs: 0 }
    const started = (async () => {
      const base = new URL('duckdb/', new URL(import.meta.env.BASE_URL, location.origin))
      const db = new AsyncDuckDB(new VoidLogger(), new Worker(new URL('duckdb-browser-eh.worker.js', base)))
      await db.instantiate(new URL('duckdb-eh.wasm', base).href)
      own.instantiateMs = performance.now() - t
      return new BrowserEngine(await db.connect())
    })()
    const store = new LakeStore<Projection>(started, RAW, 'overview', [createDroppedRaw])
    void store.serial(async () => void (own.openMs = performance.now() - t)).catch(() => {})
    return new Lake(store, own)
  }

  /** Resolves when the engine has started (rejects if it could not). */
  ready(): Promise<void> {
    return this.store.serial(async () => {})
  }

  has(key: string): boolean {
    return this.store.has(key)
  }

  /** Makes the events hold at least the columns of `p` (`all` holds every projection's). */
  async project(p: Projection): Promise<void> {
    if (this.store.columns !== 'all') await this.store.project(p)
  }

  /** Decodes a lake file for `table` (in a Web Worker): start it as soon as the file is there. */
  decode(parquet: ArrayBuffer, table: LakeTable = 'events'): Decoded {
    const shape: Shape = table === 'events' ? this.store.columns : table
    const t = performance.now()
    const ipc = decodeOffThread(parquet, shape).then((ipc) => ((this.own.decodeMs += performance.now() - t), ipc))
    ipc.catch(() => {}) // awaited by `insert`
    return { shape, ipc }
  }

  /** Appends a decoded events or ledger file to its staging table (once per key). */
  insert(key: string, decoded: Decoded, table: Exclude<LakeTable, 'aggregates' | 'slices'> = 'events'): Promise<void> {
    return this.store.insert(key, arrow(decoded), table, decoded.shape as Projection)
  }

  /** Appends decoded aggregate files in one insert, each replacing what was loaded for its days (`LakeStore.insertAggregates`). */
  insertAggregates(files: readonly { key: string; decoded: Decoded; days: readonly number[] }[], dim?: SliceDim): Promise<void> {
    return this.store.insertAggregates(
      files.map((f) => ({ key: f.key, days: f.days, batch: arrow(f.decoded) })),
      dim,
    )
  }

  /** Merges the newly loaded events into `events` and sessionizes (`LakeStore.commit`). */
  commit(): Promise<void> {
    return this.store.commit()
  }

  /** Notes the memory DuckDB holds (its tables and buffers) in `timings.duckdbBytes`, for the bench. */
  async noteMemory(): Promise<void> {
    this.own.duckdbBytes = await this.store.memory()
  }

  /** Runs a parameterised query (the only way user-chosen values reach SQL): times as text. */
  async run(q: Query): Promise<Row[]> {
    return (await this.runWithColumns(q)).rows
  }

  async runWithColumns(q: Query): Promise<Result> {
    return asText(await this.store.query(q))
  }

  /** Runs SQL the owner typed or a link carried (the SQL console), reading only (`LakeStore.runReadOnly`). */
  async runReadOnly(sql: string): Promise<Result> {
    return asText(await this.store.runReadOnly(sql))
  }
}

const arrow = (d: Decoded): Promise<Batch> => d.ipc.then((ipc) => ({ arrow: [ipc] }))

/** The views' rows: times as "YYYY-MM-DD HH:MM:SS" (UTC). */
function asText(r: Result): Result {
  for (const row of r.rows) for (const k in row) if (row[k] instanceof Date) row[k] = timeText((row[k] as Date).getTime())
  return r
}

export function timeText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}
