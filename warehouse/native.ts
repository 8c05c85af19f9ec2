/**
 * Native DuckDB (`@duckdb/node-api`, Parquet built in, offline) over lake files: the reference engine of the
 * tests and the engine of the CLI. An `Engine` (engine.ts): the same DDL and the same Query objects as the
 * dashboard's DuckDB-WASM.
 */
import { DuckDBInstance, listValue, type DuckDBConnection } from '@duckdb/node-api'
import { asQuery, type Batch, type Engine, type Result, type Row } from './engine.ts'
import { createEventsRaw, createEventsView } from './sql/ddl.ts'
import type { Query } from './sql/query.ts'

export type { Row } from './engine.ts'

export class NativeLake implements Engine {
  constructor(readonly conn: DuckDBConnection) {}

  /** An empty in-memory database, or one with `events_raw` and the deduplicated `events` view (`lake`). */
  static async open(o: { lake?: boolean } = {}): Promise<NativeLake> {
    const db = await DuckDBInstance.create(':memory:')
    const lake = new NativeLake(await db.connect())
    if (o.lake ?? true) for (const ddl of [createEventsRaw, createEventsView]) await lake.query(ddl)
    return lake
  }

  /** Appends Parquet files (local paths) to `events_raw`, by column name. */
  async load(paths: string[]): Promise<void> {
    if (paths.length) await this.append('events_raw', { parquet: paths })
  }

  async append(table: string, batch: Batch): Promise<void> {
    if (!('parquet' in batch)) throw new Error('native DuckDB appends Parquet files, not Arrow')
    if (batch.parquet.length)
      await this.conn.run(`INSERT INTO "${table}" BY NAME SELECT * FROM read_parquet($files, hive_partitioning = false)`, {
        files: listValue([...batch.parquet]),
      })
  }

  async query(q: Query | string, o: { one?: boolean } = {}): Promise<Result> {
    const { sql, params } = asQuery(q)
    const reader = o.one ? await (await this.conn.prepare(sql)).runAndReadAll() : await this.conn.runAndReadAll(sql, params)
    const rows = reader.getRowObjectsJS().map((r) => {
      for (const k in r) if (typeof r[k] === 'bigint') r[k] = Number(r[k])
      return r as Row
    })
    return { columns: reader.columnNames(), rows }
  }

  async run(q: Query): Promise<Row[]> {
    return (await this.query(q)).rows
  }
}
