/**
 * The one interface every reader of the lake runs its SQL on: native DuckDB (`NativeLake`, native.ts: the CLI
 * and the tests' reference), DuckDB-WASM in Node (`WasmLake`, testing/wasm.ts: the goldens' second engine)
 * and DuckDB-WASM in the browser (dashboard/src/engine.ts). Statements come from the SQL library
 * (warehouse/sql); what is loaded, and how, is the store's (store.ts), the same on every engine.
 */
import type { Query } from './sql/query.ts'

/** A result row: BIGINT, HUGEINT and DECIMAL as numbers (counts and sums fit a double), TIMESTAMP and DATE as Date. */
export type Row = Record<string, unknown>

export interface Result {
  columns: string[]
  rows: Row[]
}

/**
 * What an engine appends to a table: Parquet files it reads itself (native DuckDB: local paths), or Arrow
 * IPC streams (DuckDB-WASM, which has no offline Parquet reader: hyparquet decodes each file first).
 */
export type Batch = { parquet: readonly string[] } | { arrow: readonly Uint8Array[] }

/** Several batches of one kind as one. */
export function joinBatches(batches: readonly Batch[]): Batch {
  if (batches.every((b) => 'arrow' in b)) return { arrow: batches.flatMap((b) => b.arrow) }
  if (batches.every((b) => 'parquet' in b)) return { parquet: batches.flatMap((b) => b.parquet) }
  throw new Error('batches of Parquet files and of Arrow cannot be appended together')
}

export interface Engine {
  /**
   * Runs a statement (a library `Query`, or library DDL as text); `one`: as a prepared statement, which
   * holds exactly one (text from outside the library, e.g. a SQL console, must not carry a second).
   */
  query(q: Query | string, o?: { one?: boolean }): Promise<Result>
  /** Appends rows to `table`, by column name; an engine refuses the kind of batch it cannot read. */
  append(table: string, batch: Batch): Promise<void>
}

/** A statement as a `Query` (library DDL is text without parameters). */
export const asQuery = (q: Query | string): Query => (typeof q === 'string' ? { sql: q, params: [] } : q)
