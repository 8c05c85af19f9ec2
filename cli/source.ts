/**
 * Where the CLI reads the lake from:
 * - `--dir <path>`: Parquet files on disk (every `*.parquet` below it, e.g. a copy of the bucket);
 * - `--url <stack> --token <t>` (default http://127.0.0.1:8787, token footfall-dev): a running Footfall
 *   (the local stack of `npm start`, or a deployed worker) through its own lake API, `/api/files` then
 *   `/data/<key>`; files are cached on disk by key (they are immutable);
 * - `--r2 <bucket>`: a real R2 bucket read by DuckDB's httpfs with an R2 secret built from the
 *   environment (R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY); no copy is made.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { NativeLake } from '../warehouse/native.ts'
import { datePrefix, datesBetween } from '../warehouse/lake.ts'
import { createEventsView, eventsRawOver, materialiseEvents } from '../warehouse/sql/ddl.ts'
import { literal, sql } from '../warehouse/sql/query.ts'
import { DAY } from '../warehouse/time.ts'

export interface SourceOptions {
  dir?: string
  url?: string
  token?: string
  r2?: string
  site?: string
  /** The time span the command needs (epoch ms), to list only the files that cover it. */
  from?: number
  to?: number
  cache?: string
  log?: (line: string) => void
  /**
   * Deduplicate once into memory instead of in every query: worth it when a command runs several queries
   * over the same files (`report`); the dedup is the largest part of each query's time (bench/RESULTS.md).
   */
  materialize?: boolean
}

/** Opens native DuckDB with `events_raw` and `events` over the chosen lake. */
export async function openLake(o: SourceOptions): Promise<NativeLake> {
  const lake = await NativeLake.open({ lake: false })
  const conn = lake.conn
  let files: string[]
  if (o.dir) files = await parquetBelow(o.dir)
  else if (o.r2) files = await r2Files(conn, o)
  else if (o.from !== undefined && o.to !== undefined && o.from > o.to)
    files = [] // no raw part to read
  else files = await stackFiles(o)
  o.log?.(`${files.length} file(s)`)
  for (const ddl of [eventsRawOver(files), createEventsView, ...(o.materialize ? materialiseEvents : [])]) await lake.query(ddl)
  return lake
}

async function parquetBelow(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name)
    // A copy of the whole bucket also holds the drop ledger, dead letters, pageview rollups and the
    // aggregates: not events.
    if (e.isFile() && e.name.endsWith('.parquet') && !/[\\/](dropped|deadletter|rollups|aggregates)[\\/]/.test(path)) out.push(path)
  }
  return out.sort()
}

async function stackFiles(o: SourceOptions): Promise<string[]> {
  const base = (o.url ?? 'http://127.0.0.1:8787').replace(/\/$/, '')
  const headers = { Authorization: `Bearer ${o.token ?? process.env.FOOTFALL_TOKEN ?? 'footfall-dev'}` }
  const site = o.site ?? 'demo'
  const to = o.to ?? Date.now()
  // The API caps a listing at 400 days; sessions and the previous period need a little before `from`.
  const from = Math.max(o.from ?? to - 30 * DAY, to - 399 * DAY)
  const list = new URL(`${base}/api/files`)
  list.search = new URLSearchParams({ site, from: String(from), to: String(to) }).toString()
  const res = await fetch(list, { headers }).catch((e: Error) => {
    throw new Error(`cannot reach ${base} (${e.message}): start the stack with npm start, or use --dir / --r2`)
  })
  if (!res.ok) throw new Error(`${list}: ${res.status} ${await res.text()}`)
  const { files } = (await res.json()) as { files: { key: string; url: string; bytes: number }[] }
  const cache = o.cache ?? join(homedir(), '.cache', 'footfall', new URL(base).host.replace(/[^\w.-]/g, '_'))
  const paths: string[] = []
  for (const f of files) {
    const path = join(cache, f.key)
    const have = await stat(path).then(
      (s) => s.size === f.bytes,
      () => false,
    )
    if (!have) {
      const r = await fetch(base + f.url, { headers })
      if (!r.ok) throw new Error(`${f.url}: ${r.status}`)
      await mkdir(join(path, '..'), { recursive: true })
      await writeFile(path, new Uint8Array(await r.arrayBuffer()))
    }
    paths.push(path)
  }
  return paths
}

async function r2Files(conn: DuckDBConnection, o: SourceOptions): Promise<string[]> {
  const env = (k: string) => {
    const v = process.env[k]
    if (!v) throw new Error(`--r2 needs ${k} in the environment`)
    return v
  }
  await conn.run('INSTALL httpfs')
  await conn.run('LOAD httpfs')
  const secret = sql`CREATE OR REPLACE SECRET footfall_r2 (TYPE r2, KEY_ID ${literal(env('R2_ACCESS_KEY_ID'))}, SECRET ${literal(
    env('R2_SECRET_ACCESS_KEY'),
  )}, ACCOUNT_ID ${literal(env('R2_ACCOUNT_ID'))})`
  await conn.run(secret.sql)
  const site = o.site ?? '*'
  // Hive layout: events/site=<s>/date=<d>/[hour=<h>/]<part>.parquet. One glob per day of the span.
  const bucket = o.r2!.replace(/^r2:\/\//, '').replace(/\/$/, '')
  if (o.from === undefined || o.to === undefined) return [`r2://${bucket}/events/site=${site}/**/*.parquet`]
  const globs = datesBetween(new Date(o.from), new Date(o.to)).map((date) => `r2://${bucket}/${datePrefix(site, date)}**/*.parquet`)
  // A glob that matches nothing is an error in read_parquet: keep the days that have files.
  const found: string[] = []
  for (const g of globs) {
    const r = await conn.runAndReadAll(`SELECT count(*) AS n FROM glob(${literal(g).sql})`)
    if (Number(r.getRowObjects()[0]!.n) > 0) found.push(g)
  }
  return found
}
