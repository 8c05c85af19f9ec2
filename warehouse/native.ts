/**
 * Native DuckDB (`@duckdb/node-api`, Parquet built in, offline) over lake files: the reference engine of the
 * tests and the base of the CLI. Same DDL and the same Query objects as the dashboard's DuckDB-WASM.
 */
import { DuckDBInstance, listValue, type DuckDBConnection } from '@duckdb/node-api'
import { createEventsRaw, createEventsView } from './sql/ddl.ts'
import type { Query } from './sql/query.ts'

export type Row = Record<string, unknown>

export class NativeLake {
  private constructor(readonly conn: DuckDBConnection) {}

  static async open(): Promise<NativeLake> {
    const db = await DuckDBInstance.create(':memory:')
    const conn = await db.connect()
    await conn.run(createEventsRaw)
    await conn.run(createEventsView)
    return new NativeLake(conn)
  }

  /** Appends Parquet files (local paths) to `events_raw`, by column name. */
  async load(paths: string[]): Promise<void> {
    if (!paths.length) return
    await this.conn.run(`INSERT INTO events_raw BY NAME SELECT * FROM read_parquet($files)`, { files: listValue(paths) })
  }

  async run(q: Query): Promise<Row[]> {
    const reader = await this.conn.runAndReadAll(q.sql, q.params)
    return reader.getRowObjectsJS().map((r) => {
      for (const k in r) if (typeof r[k] === 'bigint') r[k] = Number(r[k])
      return r
    })
  }
}
