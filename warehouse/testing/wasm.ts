/**
 * DuckDB-WASM in Node (the blocking Node build of @duckdb/duckdb-wasm), loaded exactly as the dashboard
 * loads the lake: hyparquet decodes each Parquet file into Arrow (`dashboard/src/decode.ts`) and
 * `insertArrowFromIPCStream` appends it to `events_raw`. Never `read_parquet`: DuckDB-WASM would try to
 * download its parquet extension (and hang offline). An `Engine` (warehouse/engine.ts): results come back
 * shaped like `NativeLake`'s, so the two engines can be compared with `toEqual`.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createDuckDB, NODE_RUNTIME, VoidLogger, type DuckDBConnection } from '@duckdb/duckdb-wasm/blocking'
import { parquetToArrowIPC } from '../../dashboard/src/decode.ts'
import { arrowResult } from '../arrow-result.ts'
import { asQuery, type Batch, type Engine, type Result, type Row } from '../engine.ts'
import { createEventsRaw, createEventsView } from '../sql/ddl.ts'
import type { Query } from '../sql/query.ts'

const dist = join(dirname(createRequire(import.meta.url).resolve('@duckdb/duckdb-wasm/blocking')))

export class WasmLake implements Engine {
  private constructor(readonly conn: DuckDBConnection) {}

  /** An empty database, or one with `events_raw` and the deduplicated `events` view (`lake`). */
  static async open(o: { lake?: boolean } = {}): Promise<WasmLake> {
    const db = await createDuckDB(
      {
        mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: join(dist, 'duckdb-node-mvp.worker.cjs') },
        eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: join(dist, 'duckdb-node-eh.worker.cjs') },
      },
      new VoidLogger(),
      NODE_RUNTIME,
    )
    await db.instantiate()
    const conn = db.connect()
    // Offline, a query needing an extension (json, parquet) would try to download it and hang: fail instead.
    conn.query(`SET autoinstall_known_extensions = false`)
    conn.query(`SET autoload_known_extensions = false`)
    if (o.lake ?? true) for (const ddl of [createEventsRaw, createEventsView]) conn.query(ddl)
    return new WasmLake(conn)
  }

  /** Appends Parquet files (their bytes) the dashboard's way. */
  async load(files: ArrayBuffer[]): Promise<void> {
    for (const f of files) await this.append('events_raw', { arrow: [await parquetToArrowIPC(f)] })
  }

  async append(table: string, batch: Batch): Promise<void> {
    if (!('arrow' in batch)) throw new Error('DuckDB-WASM appends Arrow (decode Parquet with hyparquet first)')
    for (const ipc of batch.arrow) this.conn.insertArrowFromIPCStream(ipc, { name: table, create: false })
  }

  async query(q: Query | string, o: { one?: boolean } = {}): Promise<Result> {
    const { sql, params } = asQuery(q)
    if (!params.length && !o.one) return arrowResult(this.conn.query(sql))
    const stmt = this.conn.prepare(sql)
    try {
      return arrowResult(stmt.query(...params))
    } finally {
      stmt.close()
    }
  }

  async run(q: Query): Promise<Row[]> {
    return (await this.query(q)).rows
  }
}
