// `npm run bench:dashboard`: the dashboard in headless Chromium over generated lakes (100K and 1M events by
// default): time to first chart cold (empty Cache Storage: list, download, decode, load, KPIs, chart), time
// to first chart on a reload (files from Cache Storage), and a full refresh warm (every overview panel
// re-queried). The same overview queries run on native DuckDB over the same files in the same run: the
// ratio WASM / native.
//
//   node bench/dashboard.mjs [--sizes 100000,1000000] [--per-file 50000]
//
// The files are served by a small Node server that answers the lake API's two routes (`/api/files`,
// `/data/<key>`) and the built dashboard (`npm run build` first), on loopback: writing Parquet parts with
// their R2 custom metadata into wrangler dev's local bucket has no public API.
import { importTs } from './ts.mjs'
import { createServer } from 'node:http'
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { DuckDBInstance } from '@duckdb/node-api'
import { chromium } from 'playwright-core'
import { DAY, DAYS, START, syntheticRows } from './synthetic.mjs'

const root = join(import.meta.dirname, '..')
const { values: opt } = parseArgs({ options: { sizes: { type: 'string', default: '100000,1000000' }, 'per-file': { type: 'string', default: '50000' } } })
const PUBLIC = join(root, 'dist/public')
if (!existsSync(join(PUBLIC, 'dashboard/index.html'))) throw new Error('run `npm run build` first')

const L = await importTs('dashboard-lib', `export { writeEvents } from './warehouse/parquet.ts'
export { createEventsRaw, createEventsView } from './warehouse/sql/ddl.ts'
export { kpis } from './warehouse/sql/kpis.ts'
export { materialise } from './warehouse/sql/sessions.ts'
export { BREAKDOWNS } from './dashboard/src/panels.ts'
export { eventCount, series } from './dashboard/src/queries/overview.ts'
export { bucketFor } from './warehouse/sql/buckets.ts'
export { customEvents } from './warehouse/sql/breakdowns.ts'
export { opts } from './dashboard/src/queries/filters.ts'`)

const REFS = [null, null, 'www.google.com', 'news.ycombinator.com', 't.co']

/** The synthetic lake (bench/synthetic.mjs) with referrers and an OS, in files of --per-file rows. */
async function generate(n, dir) {
  const files = []
  for (const rows of syntheticRows(n, Number(opt['per-file']), (pick) => ({ referrer_host: pick(REFS), os: 'Linux' }))) {
    const buf = new Uint8Array(L.writeEvents(rows))
    const key = `events/site=demo/date=2026-01-01/part-${String(files.length).padStart(4, '0')}.parquet`
    await mkdir(join(dir, key, '..'), { recursive: true })
    await writeFile(join(dir, key), buf)
    const times = rows.reduce(([lo, hi], r) => [Math.min(lo, r.event_time), Math.max(hi, r.event_time)], [Infinity, -Infinity])
    files.push({ key, url: `/data/${key}`, rows: rows.length, bytes: buf.byteLength, minTime: new Date(times[0]).toISOString(), maxTime: new Date(times[1]).toISOString() })
  }
  return files
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' }

/** The lake API's two routes over `dir`, and dist/public (the wasm stored gzipped, as edge/wasm.ts serves it). */
function serve(dir, files) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x')
    try {
      if (url.pathname === '/api/files') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
        return res.end(JSON.stringify({ files: new URL(req.url, 'http://x').searchParams.get('table') === 'dropped' ? [] : files }))
      }
      if (url.pathname.startsWith('/data/')) {
        const body = await readFile(join(dir, decodeURIComponent(url.pathname.slice(6))))
        res.writeHead(200, { 'Content-Type': 'application/vnd.apache.parquet', 'Content-Length': body.byteLength, 'Cache-Control': 'private, max-age=31536000, immutable' })
        return res.end(body)
      }
      let path = join(PUBLIC, url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname)
      const headers = { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' }
      if (path.endsWith('.wasm')) (path += '.gz'), (headers['Content-Encoding'] = 'gzip')
      const body = await readFile(path)
      res.writeHead(200, headers)
      res.end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

async function browserRun(origin, range, files) {
  const profile = await mkdtemp(join(tmpdir(), 'footfall-bench-chromium-'))
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS, headless: true })
  const page = await ctx.newPage()
  const url = `${origin}/dashboard/?range=custom&from=${new Date(range.from).toISOString()}&to=${new Date(range.to).toISOString()}#token=bench`
  const settled = () => page.waitForFunction(() => !!document.querySelector('[data-testid=load-stats]') && !document.querySelector('[aria-busy=true]'), null, { timeout: 600_000, polling: 50 })
  const firstChart = async (reload) => {
    const t = performance.now()
    await (reload ? page.reload() : page.goto(url))
    // An error (out of memory) ends the run instead of waiting for a chart that will not come.
    await page.waitForSelector('[data-testid=chart], [role=alert]', { timeout: 600_000 })
    const chart = performance.now() - t
    const alert = await page.$('[role=alert]')
    if (alert) throw new Error(`after ${(chart / 1000).toFixed(1)} s: ${await alert.textContent()}`)
    await settled()
    return { chart, all: performance.now() - t }
  }
  const cold = await firstChart()
  const stats = await page.$eval('[data-testid=load-stats]', (e) => JSON.parse(e.dataset.timings))
  const heap = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize : null))
  const cached = await firstChart(true)
  // Full refresh, warm: the listing (no new file) and every overview panel again.
  const refresh = []
  for (let i = 0; i < 3; i++) {
    const v = Number(await page.getAttribute('main', 'data-version'))
    const t = performance.now()
    await page.click('text=Refresh')
    await page.waitForFunction((n) => Number(document.querySelector('main')?.getAttribute('data-version')) > n, v, { timeout: 600_000, polling: 20 })
    await settled()
    refresh.push(performance.now() - t)
  }
  const kpi = await page.textContent('[data-testid=kpi-pageviews]')
  const errors = await page.$$eval('[role=alert]', (es) => es.map((e) => e.textContent))
  await ctx.close()
  await rm(profile, { recursive: true, force: true })
  return { cold, cached, refresh: refresh.sort((a, b) => a - b)[1], heap, kpi, errors, ...stats }
}

/**
 * Native DuckDB, the same files loaded into a table as the dashboard does (deduplicated once, sessions
 * materialised once), the same overview queries; and the same queries without the materialised sessions.
 */
async function nativeRun(dir, files, range) {
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  await conn.run(L.createEventsRaw)
  let t = performance.now()
  const paths = files.map((f) => `'${join(dir, f.key)}'`).join(', ')
  await conn.run(`INSERT INTO events_raw BY NAME SELECT * FROM read_parquet([${paths}], hive_partitioning = false)`)
  await conn.run(`CREATE TABLE events AS ${L.createEventsView.replace(/^CREATE OR REPLACE VIEW events AS/, '')}`)
  await conn.run('DROP TABLE events_raw')
  const load = performance.now() - t
  t = performance.now()
  for (const q of L.materialise()) await conn.run(q)
  const sessionize = performance.now() - t
  const run = async (q) => (await conn.runAndReadAll(q.sql, q.params)).getRowObjectsJS()
  const timed = async (scope) => {
    const o = L.opts(scope)
    const first = [L.kpis(range, o), L.eventCount(scope), L.series(scope, L.bucketFor(range))]
    const all = [...first, L.customEvents(range, { ...o, limit: 50 }), ...L.BREAKDOWNS.map((b) => b.query(scope))]
    let t = performance.now()
    const [k] = await run(first[0])
    for (const q of first.slice(1)) await run(q)
    const firstChart = performance.now() - t
    const times = []
    for (let i = 0; i < 3; i++) {
      t = performance.now()
      for (const q of all) await run(q)
      times.push(performance.now() - t)
    }
    return { firstChart, refresh: times.sort((a, b) => a - b)[1], pageviews: Number(k.pageviews) }
  }
  const mat = await timed({ range, filters: [], bots: false, materialised: true })
  // Without them (each panel sessionizing again): minutes per refresh above 1M events, so not there.
  if (files.reduce((n, f) => n + f.rows, 0) > 1_000_000) return { load, sessionize, ...mat, liveRefresh: NaN }
  const live = await timed({ range, filters: [], bots: false })
  if (mat.pageviews !== live.pageviews) throw new Error(`native: materialised pageviews ${mat.pageviews}, live ${live.pageviews}`)
  return { load, sessionize, ...mat, liveRefresh: live.refresh }
}

const uptime = () => loadavg().map((l) => l.toFixed(2)).join(' ')
const work = await mkdtemp(join(tmpdir(), 'footfall-bench-dash-'))
const range = { from: START, to: START + DAYS * DAY - 1 }
const results = []
for (const n of opt.sizes.split(',').map(Number)) {
  const dir = join(work, String(n))
  const files = await generate(n, dir)
  const bytes = files.reduce((a, f) => a + f.bytes, 0)
  const server = await serve(dir, files)
  const origin = `http://127.0.0.1:${server.address().port}`
  const wasm = await browserRun(origin, range, files).catch((e) => ({ error: e.message }))
  server.close()
  const native = await nativeRun(dir, files, range)
  const r = { n, files: files.length, mb: bytes / 1e6, wasm, native }
  results.push(r)
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`
  if (wasm.error) {
    console.log(`${n.toLocaleString('en')} events (${files.length} files, ${r.mb.toFixed(1)} MB): the dashboard failed: ${wasm.error}; ` +
      `native: load+dedup ${s(native.load)}, sessionize ${s(native.sessionize)}, first chart queries ${s(native.firstChart)}, full refresh ${s(native.refresh)}; uptime: ${uptime()}`)
    process.exitCode = 1
    continue
  }
  console.log(`${n.toLocaleString('en')} events (${files.length} files, ${r.mb.toFixed(1)} MB): first chart cold ${s(wasm.cold.chart)} (all panels ${s(wasm.cold.all)}), ` +
    `reload from cache ${s(wasm.cached.chart)}, full refresh warm ${s(wasm.refresh)}, (engine start ${s(wasm.openMs)}, decode ${s(wasm.decodeMs)}, insert ${s(wasm.insertMs)}, merge ${s(wasm.mergeMs)}, sessionize ${s(wasm.sessionizeMs)}); ` +
    `native: load+dedup ${s(native.load)}, sessionize ${s(native.sessionize)}, first chart queries ${s(native.firstChart)}, full refresh ${s(native.refresh)} ` +
    `(without materialised sessions ${s(native.liveRefresh)}); refresh ratio WASM/native ${(wasm.refresh / native.refresh).toFixed(1)}x` +
    (wasm.heap ? `; JS heap ${(wasm.heap / 1e6).toFixed(0)} MB` : '') + `; uptime: ${uptime()}`)
  // The numbers must agree, or the times mean nothing.
  if (Number(wasm.kpi) !== native.pageviews) {
    console.log(`pageviews differ: dashboard ${wasm.kpi}, native ${native.pageviews}; errors on the page: ${JSON.stringify(wasm.errors)}`)
    process.exitCode = 1
  }
}
await rm(work, { recursive: true, force: true })
