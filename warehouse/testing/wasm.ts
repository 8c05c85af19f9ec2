/**
 * DuckDB-WASM in Node (the blocking Node build of @duckdb/duckdb-wasm), loaded exactly as the dashboard
 * loads the lake: hyparquet decodes each Parquet file into Arrow (`dashboard/src/decode.ts`) and
 * `insertArrowFromIPCStream` appends it to `events_raw`. Never `read_parquet`: DuckDB-WASM would try to
 * download its parquet extension (and hang offline). Results come back shaped like `NativeLake.run`'s
 * (timestamps as Date, integers as number), so the two engines can be compared with `toEqual`.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createDuckDB, NODE_RUNTIME, VoidLogger, type DuckDBConnection } from '@duckdb/duckdb-wasm/blocking'
import { Type, type Table } from 'apache-arrow'
import { parquetToArrowIPC } from '../../dashboard/src/decode.ts'
import { createEventsRaw, createEventsView } from '../sql/ddl.ts'
import type { Query } from '../sql/query.ts'
import type { Row } from '../native.ts'

const dist = join(dirname(createRequire(import.meta.url).resolve('@duckdb/duckdb-wasm/blocking')))

export class WasmLake {
  private constructor(readonly conn: DuckDBConnection) {}

  static async open(): Promise<WasmLake> {
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
    conn.query(createEventsRaw)
    conn.query(createEventsView)
    return new WasmLake(conn)
  }

  /** Appends Parquet files (their bytes) the dashboard's way. */
  async load(files: ArrayBuffer[]): Promise<void> {
    for (const f of files) this.conn.insertArrowFromIPCStream(await parquetToArrowIPC(f), { name: 'events_raw', create: false })
  }

  async run(q: Query): Promise<Row[]> {
    const stmt = this.conn.prepare(q.sql)
    try {
      return plainRows(stmt.query(...q.params))
    } finally {
      stmt.close()
    }
  }
}

/** Arrow rows -> plain objects: timestamps as Date, 64-bit integers as number. */
function plainRows(table: Table): Row[] {
  const fields = table.schema.fields
  return table.toArray().map((r) => {
    const o = r.toJSON() as Row
    for (const f of fields) {
      const v = o[f.name]
      if (v === null || v === undefined) continue
      if (f.typeId === Type.Timestamp) o[f.name] = new Date(Number(v))
      else if (typeof v === 'bigint') o[f.name] = Number(v)
    }
    return o
  })
}
