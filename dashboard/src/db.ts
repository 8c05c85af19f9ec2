/**
 * DuckDB-WASM in a Web Worker, served by our own worker (no CDN): the engine's files live under
 * /dashboard/duckdb/. Lake files are loaded once each (they are immutable) into `events_raw`.
 */
import { AsyncDuckDB, VoidLogger, type AsyncDuckDBConnection } from '@duckdb/duckdb-wasm'
import { createEventsRaw, createEventsView } from '../../warehouse/sql/ddl.ts'
import type { Query } from '../../warehouse/sql/query.ts'
import { parquetToArrowIPC } from './decode.ts'

export type Row = Record<string, unknown>

export class Lake {
  private loaded = new Set<string>()
  private constructor(private conn: AsyncDuckDBConnection) {}

  static async open(): Promise<Lake> {
    const base = new URL('duckdb/', new URL(import.meta.env.BASE_URL, location.origin))
    const db = new AsyncDuckDB(new VoidLogger(), new Worker(new URL('duckdb-browser-eh.worker.js', base)))
    await db.instantiate(new URL('duckdb-eh.wasm', base).href)
    const conn = await db.connect()
    await conn.query(createEventsRaw)
    await conn.query(createEventsView)
    return new Lake(conn)
  }

  has(key: string): boolean {
    return this.loaded.has(key)
  }

  async load(key: string, parquet: ArrayBuffer): Promise<void> {
    if (this.loaded.has(key)) return
    await this.conn.insertArrowFromIPCStream(await parquetToArrowIPC(parquet), { name: 'events_raw', create: false })
    this.loaded.add(key)
  }

  async run(q: Query): Promise<Row[]> {
    const stmt = await this.conn.prepare(q.sql)
    try {
      const table = await stmt.query(...q.params)
      return table.toArray().map((r) => plain(r.toJSON()))
    } finally {
      await stmt.close()
    }
  }
}

/** BIGINT arrives as bigint; counts fit in a double. */
function plain(r: Row): Row {
  for (const k in r) if (typeof r[k] === 'bigint') r[k] = Number(r[k])
  return r
}
