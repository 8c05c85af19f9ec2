/**
 * Test lakes on disk: rows written as Parquet files by the lake's own writer, then opened by both engines
 * the project uses (native DuckDB reading the files with read_parquet, DuckDB-WASM loading them the
 * dashboard's way), so a golden test can assert one answer from both.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NativeLake, type Row } from '../native.ts'
import { writeEvents } from '../parquet.ts'
import type { EventRow } from '../schema.ts'
import type { Query } from '../sql/query.ts'
import { WasmLake } from './wasm.ts'

/** Writes each group of rows as one Parquet file (a partition or a redelivered part); returns the paths. */
export async function writeLake(files: readonly (readonly EventRow[])[], dir?: string): Promise<string[]> {
  const root = dir ?? (await mkdtemp(join(tmpdir(), 'footfall-golden-')))
  return Promise.all(
    files.map(async (rows, i) => {
      const path = join(root, `part-${i}.parquet`)
      await writeFile(path, new Uint8Array(writeEvents(rows)))
      return path
    }),
  )
}

/** Both engines over the same files. */
export interface Engines {
  native: NativeLake
  wasm: WasmLake
  /** Runs a query on both; returns both answers (a test asserts they are equal). */
  run(q: Query): Promise<{ native: Row[]; wasm: Row[] }>
}

export async function openEngines(paths: string[]): Promise<Engines> {
  const native = await NativeLake.open()
  await native.load(paths)
  const wasm = await WasmLake.open()
  await wasm.load(await Promise.all(paths.map(async (p) => toArrayBuffer(await readFile(p)))))
  return {
    native,
    wasm,
    run: async (q) => ({ native: await native.run(q), wasm: await wasm.run(q) }),
  }
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
}
