// `node bench/overview-queries.mjs [--events 1000000]`: the time of each query of the dashboard's overview
// (what a full refresh runs), on DuckDB-WASM in Node (the same V8 WebAssembly as Chromium, no browser around
// it) and on native DuckDB with one thread (DuckDB-WASM has one), in the same run, over the same synthetic
// events (bench/synthetic.mjs) held as the dashboard holds them: loaded the dashboard's way (hyparquet ->
// Arrow) from files in time order (compacted files are), the staging table taken as `events` (no duplicate
// ids), `materialise()` run. The range is
// the default "last 7 days" 30 minutes after the data's last day began, so both ends cut an hour.
// Prints one row per query (median of 3) and the totals; `bench:dashboard` measures the refresh in Chromium.
import { importTs } from './ts.mjs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DuckDBInstance } from '@duckdb/node-api'
import { DAY, DAYS, START, syntheticRows } from './synthetic.mjs'

const { values: opt } = parseArgs({ options: { events: { type: 'string', default: '1000000' } } })
const L = await importTs('lib/overview-queries.ts')

const n = Number(opt.events)
const dir = await mkdtemp(join(tmpdir(), 'footfall-overview-queries-'))
const REFS = [null, null, 'www.google.com', 'news.ycombinator.com', 't.co']
const rows = [...syntheticRows(n, n, (pick) => ({ referrer_host: pick(REFS), os: 'Linux' }))]
  .flat()
  .sort((a, b) => a.event_time - b.event_time)
const paths = []
for (let i = 0; i < rows.length; i += 50_000) {
  paths.push(join(dir, `${paths.length}.parquet`))
  await writeFile(paths.at(-1), new Uint8Array(L.writeEvents(rows.slice(i, i + 50_000))))
}

// As the dashboard's first load without duplicate ids (db.ts, adopt): the staging table, in load order.
const adopt = ['DROP VIEW IF EXISTS events', 'ALTER TABLE events_raw RENAME TO events']
const range = L.rangeOf(L.parseState('?range=7d'), START + (DAYS - 1) * DAY + 30 * 60_000)
const scope = { range, filters: [], bots: false, materialised: true }
const o = L.opts(scope)

// DuckDB-WASM, the dashboard's way.
const wasm = await L.WasmLake.open()
wasm.conn.query('DROP VIEW events')
wasm.conn.query('DROP TABLE events_raw')
wasm.conn.query(L.createEventsRawOf(L.OVERVIEW_COLUMNS))
for (const p of paths) {
  const buf = await readFile(p)
  wasm.conn.insertArrowFromIPCStream(
    await L.parquetToArrowIPC(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), L.SHAPES.overview),
    { name: 'events_raw', create: false },
  )
}
for (const q of adopt) wasm.conn.query(q)
let t = performance.now()
for (const q of L.materialise()) wasm.conn.query(q)
const wasmMaterialise = performance.now() - t

// Native DuckDB, one thread.
const db = await DuckDBInstance.create(':memory:')
const conn = await db.connect()
await conn.run('SET threads = 1')
await conn.run(L.createEventsRaw)
await conn.run(`INSERT INTO events_raw BY NAME SELECT * FROM read_parquet([${paths.map((p) => `'${p}'`).join(', ')}])`)
for (const q of adopt) await conn.run(q)
t = performance.now()
for (const q of L.materialise()) await conn.run(q)
const nativeMaterialise = performance.now() - t

const engines = {
  wasm: (q) => wasm.run(q),
  native: async (q) => (await conn.runAndReadAll(q.sql, q.params)).getRowObjectsJS(),
}
// The overview's queries (Overview.tsx): KPIs, custom event count, series, event picker, the first event's
// property keys and the values of its first key, the breakdowns.
const [name] = (await engines.native(L.eventNames(scope))).map((r) => r.name)
const [key] = (await engines.native(L.propKeys(range, name, o))).map((r) => r.key)
const queries = [
  ['KPIs', L.kpis(range, o)],
  ['custom event count', L.eventCount(scope)],
  ['series', L.series(scope, L.bucketFor(range))],
  ['event names', L.eventNames(scope)],
  ['property keys', L.propKeys(range, name, o)],
  ['property values', L.eventProps(range, name, key, { ...o, limit: 10 })],
  ...L.BREAKDOWNS.map((b) => [b.title, b.query(scope)]),
]
const median = (xs) => xs.sort((a, b) => a - b)[1]
const times = []
for (const [title, q] of queries) {
  const row = { title }
  for (const [engine, run] of Object.entries(engines)) {
    const ms = []
    for (let i = 0; i < 3; i++) {
      const t = performance.now()
      await run(q)
      ms.push(performance.now() - t)
    }
    row[engine] = median(ms)
  }
  times.push(row)
}

const f = (ms) => ms.toFixed(1)
console.log(
  `${n.toLocaleString('en')} events, range ${new Date(range.from).toISOString()} .. ${new Date(range.to).toISOString()}; ` +
    `materialise: DuckDB-WASM ${f(wasmMaterialise)} ms, native (1 thread) ${f(nativeMaterialise)} ms\n`,
)
console.log('| query | DuckDB-WASM (Node) ms | native, 1 thread ms | WASM / native |\n|---|---:|---:|---:|')
for (const r of times) console.log(`| ${r.title} | ${f(r.wasm)} | ${f(r.native)} | ${(r.wasm / r.native).toFixed(1)}x |`)
const sum = (k) => times.reduce((a, r) => a + r[k], 0)
console.log(`| **all** | **${f(sum('wasm'))}** | **${f(sum('native'))}** | ${(sum('wasm') / sum('native')).toFixed(1)}x |`)
console.log(
  `\nuptime: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
await rm(dir, { recursive: true, force: true })
