/**
 * Native DuckDB for the worker tests: workerd cannot load `@duckdb/node-api`, so vitest.config.ts binds this
 * handler (it runs in Node) as the `TEST_DUCKDB` service. POST a Parquet file: the answer is its rows as
 * native DuckDB reads them, every column of the lake's schema, timestamps as epoch ms, JSON as its text
 * (parsed by DuckDB's own JSON reader first: a JSON value it cannot read fails the request with its error).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { COLUMNS } from '../schema.ts'

// Text leaves DuckDB as its UTF-8 bytes (encode), decoded here keeping a leading U+FEFF: the JS strings of
// @duckdb/node-api drop one (the value inside DuckDB keeps it: strlen counts its 3 bytes).
const select = COLUMNS.map((c) =>
  c.type === 'TIMESTAMP'
    ? `epoch_ms("${c.name}")::DOUBLE AS "${c.name}"`
    : c.type === 'JSON'
      ? `encode(json_extract("${c.name}", '$')::VARCHAR) AS "${c.name}"`
      : c.type === 'STRING'
        ? `encode("${c.name}") AS "${c.name}"`
        : `"${c.name}"`,
).join(', ')
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export async function duckdbRows(req: Request): Promise<Response> {
  const { DuckDBInstance } = await import('@duckdb/node-api')
  const dir = await mkdtemp(join(tmpdir(), 'footfall-duckdb-'))
  try {
    const path = join(dir, 'file.parquet')
    await writeFile(path, new Uint8Array(await req.arrayBuffer()))
    const db = await DuckDBInstance.create(':memory:')
    const conn = await db.connect()
    try {
      const reader = await conn.runAndReadAll(`SELECT ${select} FROM read_parquet('${path}') ORDER BY event_id`)
      return Response.json(
        reader.getRowObjectsJS().map((r) => {
          for (const k in r) {
            const v = r[k] as unknown
            if (typeof v === 'bigint') r[k] = Number(v)
            else if (v && typeof v === 'object' && 'bytes' in v) r[k] = utf8.decode((v as { bytes: Uint8Array }).bytes)
            else if (v instanceof Uint8Array) r[k] = utf8.decode(v)
          }
          return r
        }),
      )
    } finally {
      conn.closeSync()
    }
  } catch (e) {
    return new Response(`native DuckDB: ${(e as Error).message}`, { status: 500 })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
