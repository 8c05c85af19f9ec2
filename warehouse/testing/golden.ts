/** The golden check of the SQL tests: one query, both engines, the same rows. */
import { expect } from 'vitest'
import type { Row } from '../native.ts'
import type { Query } from '../sql/query.ts'
import type { Engines } from './lake.ts'

/** Runs `q` on native DuckDB and on DuckDB-WASM, asserts both gave the same rows, returns them. */
export async function golden(db: Engines, q: Query): Promise<Row[]> {
  const { native, wasm } = await db.run(q)
  expect(wasm).toEqual(native)
  return native
}

/** Times of rows as `HH:MM` (UTC), for short expectations. */
export const hhmm = (d: unknown) => (d as Date).toISOString().slice(11, 16)
