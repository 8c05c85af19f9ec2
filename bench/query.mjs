// `npm run bench:query`: native DuckDB (the CLI's engine, `events` over read_parquet with no copy) running
// the SQL library's KPI, sessions and windows queries over generated lakes of 1M and 10M events.
//
//   node bench/query.mjs [--sizes 1000000,10000000] [--runs 3] [--warmup 1] [--keep]
//
// Events are generated as sessions (a visitor, 1-8 events 0-10 minutes apart) over 7 days, written with
// the lake's own Parquet writer (warehouse/parquet.ts) in files of 250,000 rows, then each query is timed
// (best and median of --runs, after --warmup runs), plus one full `footfall report` process.
import { importTs } from './ts.mjs'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { DuckDBInstance } from '@duckdb/node-api'
import { DAY, DAYS, MIN, START, syntheticRows } from './synthetic.mjs'

const root = join(import.meta.dirname, '..')
const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,10000000' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    keep: { type: 'boolean' },
  },
})
const runs = Number(opt.runs)

// The library is TypeScript: bundle the pieces the bench needs (bench/ts.mjs).
const work = await mkdtemp(join(tmpdir(), 'footfall-bench-q-'))
const L = await importTs('lib/query.ts')

async function generate(n, dir) {
  let file = 0,
    bytes = 0
  const t0 = performance.now()
  for (const rows of syntheticRows(n, 250_000)) {
    const buf = new Uint8Array(L.writeEvents(rows))
    const path = join(dir, `events/site=demo/part-${String(file++).padStart(4, '0')}.parquet`)
    await mkdir(join(path, '..'), { recursive: true })
    await writeFile(path, buf)
    bytes += buf.byteLength
  }
  return { files: file, bytes, seconds: (performance.now() - t0) / 1000 }
}

async function time(conn, q) {
  const once = async () => {
    const t = performance.now()
    const r = await conn.runAndReadAll(q.sql, q.params)
    r.getRows()
    return performance.now() - t
  }
  for (let i = 0; i < Number(opt.warmup); i++) await once()
  const ms = []
  for (let i = 0; i < runs; i++) ms.push(await once())
  ms.sort((a, b) => a - b)
  return { best: ms[0], median: ms[Math.floor(ms.length / 2)] }
}

const range = { from: START, to: START + DAYS * DAY - 1 }
const lastDay = { from: START + (DAYS - 1) * DAY, to: START + DAYS * DAY - 1 }
const count = (q) => L.sql`SELECT count(*) AS n FROM (${q})`
const QUERIES = [
  ['count(*) of the deduplicated events view', L.sql`SELECT count(*) FROM events`],
  ['KPIs, 7 days, with the previous period', L.kpis(range)],
  ['sessions, 7 days (count of the session rows)', count(L.sessions(range))],
  ['tumbling 1 h windows by country, 7 days', L.windows(range, L.tumbling(60 * MIN), { by: ['country'] })],
  ['hopping 5 min / 10 s windows, last day', L.windows(lastDay, L.hopping(5 * MIN, 10_000))],
  ['session windows (30 min) per visitor, 7 days (count)', count(L.windows(range, L.sessionWindow(30 * MIN)))],
  ['top pages, 7 days', L.breakdown(range, 'path', { type: 'pageview', limit: 10 })],
]

const results = []
for (const n of opt.sizes.split(',').map(Number)) {
  const dir = join(work, String(n))
  const gen = await generate(n, dir)
  console.log(
    `${n.toLocaleString('en')} events: ${gen.files} files, ${(gen.bytes / 1e6).toFixed(1)} MB (${(gen.bytes / n).toFixed(1)} B/event), written in ${gen.seconds.toFixed(1)} s`,
  )
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  await conn.run(L.eventsRawOver([join(dir, 'events/**/*.parquet')]))
  await conn.run(L.createEventsView)
  for (const [name, q] of QUERIES) {
    const t = await time(conn, q)
    results.push({ n, name, ...t })
    console.log(`  ${name}: best ${t.best.toFixed(0)} ms, median ${t.median.toFixed(0)} ms`)
  }
  conn.closeSync?.()
  const t = performance.now()
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'cli/footfall.mjs'),
      'report',
      '--dir',
      dir,
      '--site',
      'demo',
      '--from',
      new Date(range.from).toISOString(),
      '--to',
      new Date(range.to).toISOString(),
      '--format',
      'json',
    ],
    { maxBuffer: 1 << 26 },
  )
  const report = performance.now() - t
  results.push({ n, name: '`footfall report` process (9 queries, 7 days)', best: report, median: report })
  console.log(`  footfall report process: ${report.toFixed(0)} ms`)
  if (!opt.keep) await rm(dir, { recursive: true, force: true })
}

console.log('\n| query | ' + [...new Set(results.map((r) => r.n))].map((n) => `${n / 1e6}M events (median ms)`).join(' | ') + ' |')
console.log('|---|' + [...new Set(results.map((r) => r.n))].map(() => '---:').join('|') + '|')
for (const name of [...new Set(results.map((r) => r.name))]) {
  console.log(
    `| ${name} | ` +
      results
        .filter((r) => r.name === name)
        .map((r) => r.median.toFixed(0))
        .join(' | ') +
      ' |',
  )
}
if (!opt.keep) await rm(work, { recursive: true, force: true })
