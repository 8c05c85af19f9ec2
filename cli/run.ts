/** Runs a library `Query` on a native DuckDB connection: rows as plain objects, BIGINT as number. */
import type { DuckDBConnection } from '@duckdb/node-api'
import type { Query } from '../warehouse/sql/query.ts'

export type Row = Record<string, unknown>

export async function run(conn: DuckDBConnection, q: Query): Promise<Row[]> {
  const reader = await conn.runAndReadAll(q.sql, q.params)
  return reader.getRowObjectsJS().map((r) => {
    for (const k in r) if (typeof r[k] === 'bigint') r[k] = Number(r[k])
    return r as Row
  })
}
