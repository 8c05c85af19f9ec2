/**
 * Reads what the worker stored, as the tests' source of truth: downloads each new Parquet file of the
 * stack's lake once (lake API, bearer token) into one native DuckDB, and answers SQL over `events_raw`
 * (every stored row, duplicates included: "exactly once" is checked on the raw rows).
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NativeLake, type Row } from '../../warehouse/native.ts'
import { listFiles } from '../helpers/lake.ts'
import { waitFor, type Stack } from '../helpers/stack.ts'

export class LakeReader {
  private seen = new Set<string>()
  private constructor(
    private stack: Stack,
    private lake: NativeLake,
    private dir: string,
  ) {}

  static async open(stack: Stack): Promise<LakeReader> {
    return new LakeReader(stack, await NativeLake.open(), await mkdtemp(join(tmpdir(), 'footfall-sdk-lake-')))
  }

  /** Loads the files that appeared since the last call. */
  async refresh(): Promise<void> {
    const fresh = (await listFiles(this.stack)).filter((f) => !this.seen.has(f.key))
    const paths: string[] = []
    for (const f of fresh) {
      const res = await fetch(this.stack.url + f.url, { headers: { Authorization: `Bearer ${this.stack.token}` } })
      if (!res.ok) throw new Error(`${f.url}: ${res.status}`)
      const path = join(this.dir, `${this.seen.size}.parquet`)
      await writeFile(path, new Uint8Array(await res.arrayBuffer()))
      this.seen.add(f.key)
      paths.push(path)
    }
    await this.lake.load(paths)
  }

  /** Every stored row of one test run (its pages live under `/<run>/`), oldest first. */
  async rows(run: string): Promise<Row[]> {
    await this.refresh()
    return this.lake.run({
      sql: `SELECT * FROM events_raw WHERE path LIKE ? ORDER BY client_time, CASE type WHEN 'engagement' THEN 0 WHEN 'pageview' THEN 1 ELSE 2 END`,
      params: [`/${run}/%`],
    })
  }

  /** Waits until `done(rows)` holds for the run's rows, then returns them. */
  async waitRows(run: string, done: (rows: Row[]) => boolean, ms = 20_000): Promise<Row[]> {
    let rows: Row[] = []
    await waitFor(async () => done((rows = await this.rows(run))), ms).catch((e) => {
      throw new Error(`${(e as Error).message}; rows of ${run}: ${JSON.stringify(rows.map(brief))}`)
    })
    return rows
  }
}

/** The fields a failing assertion should show. */
export const brief = (r: Row) => ({ type: r.type, name: r.name, path: r.path, user_id: r.user_id })
