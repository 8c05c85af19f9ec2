// `npm run bench:dashboard`: the dashboard in headless Chromium over generated lakes (100K and 1M events by
// default), opened with the default range (the last 7 days): time to first chart cold (empty Cache Storage),
// drawn from the pageview rollups of the compacted day files (warehouse/rollup.ts) and today's files without a
// rollup, decoded (dashboard/src/rollups.ts), and until every panel is ready (list, download, decode, load, sessions,
// queries); the same cold load without rollups (the listing leaves them out: the first chart decodes every
// file, or waits for the events above 500K rows and a quarter of the range's, MAX_PART_ROWS);
// time to first chart on a reload (files from Cache Storage), and a full refresh warm (every overview panel
// re-queried). The same overview queries run on native DuckDB over the same files in the same run: the
// ratio WASM / native.
//
//   node bench/dashboard.mjs [--sizes 100000,1000000] [--per-file 50000]
//
// The lake is what a user sees on a normal day: the synthetic events, their times scaled into the 7 days before
// the run (ending now, so the last day is today), written as the consumer writes them (one part per batch of
// --per-file rows and hour partition), then every date compacted as the cron does at this time (compactDate,
// now: closed days become day files + rollups; today's closed hours become hour files, the current hour stays
// in parts) in an in-memory bucket. A small Node server answers the lake API's
// two routes from it (`/api/files` through the worker's own listing, `listLakeFiles`; `/data/<key>`) and
// serves the built dashboard (`npm run build` first), on loopback.
import { importTs } from './ts.mjs'
import { createServer } from 'node:http'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { DuckDBInstance } from '@duckdb/node-api'
import { chromium } from 'playwright-core'
import { DAY, DAYS, START, syntheticRows } from './synthetic.mjs'

const root = join(import.meta.dirname, '..')
const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    'per-file': { type: 'string', default: '50000' },
    'year-sizes': { type: 'string', default: '1200000,12000000' },
  },
})
const PUBLIC = join(root, 'dist/public')
if (!existsSync(join(PUBLIC, 'dashboard/index.html'))) throw new Error('run `npm run build` first')

const L = { ...(await importTs('lib/dashboard.ts')), ...(await importTs('lib/lake-api.ts')) }

const REFS = [null, null, 'www.google.com', 'news.ycombinator.com', 't.co']

/**
 * The synthetic lake (bench/synthetic.mjs) with referrers and an OS, as the consumer then the cron leave it
 * at `end` (now): its times scaled into [end - 7 days + 2 h, end) (sessions keep their order; the 2 h keep
 * every event inside the page's moving 7-day range for the run), parts per batch of --per-file rows and hour,
 * then every date compacted at `end` (closed days: day files and rollups; today: closed hours). The bucket,
 * and the events' files on disk for native DuckDB.
 */
async function generate(n, dir, end, days = DAYS) {
  const lake = new L.MemoryBucket()
  const dates = new Set()
  const base = end - days * DAY + 2 * 3_600_000
  const scale = (end - base) / (DAYS * DAY + 90 * 60_000) // a session ends at most 70 minutes after the 7 days
  for (const rows of syntheticRows(n, Number(opt['per-file']), (pick) => ({ referrer_host: pick(REFS), os: 'Linux' }))) {
    const parts = new Map()
    for (const r of rows) {
      r.event_time = r.client_time = base + Math.floor((r.event_time - START) * scale)
      r.received_time = r.event_time + 40
      // Over a year, visitor ids rotate daily as the edge's do (a daily salt): one id per visitor and day.
      if (days > DAYS) r.visitor_id = `${r.visitor_id}.${Math.floor(r.event_time / DAY)}`
      const p = L.partitionOf('demo', r.event_time)
      const k = `${p.date}/${p.hour}`
      if (!parts.has(k)) parts.set(k, [])
      parts.get(k).push(r)
      dates.add(p.date)
    }
    for (const part of parts.values()) {
      await lake.put(
        L.partKey(L.partitionOf('demo', part[0].event_time), await L.partName(part.map((r) => r.event_id))),
        L.writeEvents(part),
        {
          customMetadata: L.encodeMeta({ rows: part.length, ...L.timeRange(part), schema: L.SCHEMA_VERSION }),
        },
      )
    }
  }
  let t = performance.now()
  for (const date of [...dates].sort()) await L.compactDate(lake, 'demo', date, { now: end, settledAt: Date.now() + 1000 })
  const compactMs = performance.now() - t
  // The cron's aggregation of every closed day (warehouse/aggregate), as it runs after compaction, with every
  // slice (the lake as the cron leaves it after the runs that their budget spreads them over).
  t = performance.now()
  await L.aggregateLake(lake, ['demo'], { now: end, days: days + 1, sliceEvents: Number.POSITIVE_INFINITY })
  // And every closed month's file (the cron writes three a run).
  await L.aggregateMonths(lake, 'demo', {
    now: end,
    tz: 'UTC',
    missing: await L.unaggregatedDates(lake, 'demo', 'UTC', new Date(end).toISOString().slice(0, 8) + '01'),
    budget: Infinity,
  })
  const aggregateMs = performance.now() - t
  const files = await L.listLakeFiles(lake, 'demo', 'events', base - DAY, end + DAY, true)
  for (const f of files) {
    await mkdir(join(dir, f.key, '..'), { recursive: true })
    await writeFile(join(dir, f.key), new Uint8Array(await (await lake.get(f.key)).arrayBuffer()))
  }
  // Each file once (a month's file is listed for each of its days).
  const aggregates = [...new Map((await L.listAggregates(lake, 'demo', 'UTC', '0000-01-01', '9999-12-31')).map((d) => [d.key, d])).values()]
  return { lake, files, compactMs, aggregateMs, aggregates }
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' }

/**
 * The lake API's two routes over the bucket (the worker's listing; `rollups: false` lists no rollup, as for a
 * lake compacted before rollups), and dist/public (the wasm stored gzipped, as edge/wasm.ts serves it).
 */
function serve(lake, server = { rollups: true, aggregates: true }) {
  const http = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x')
    try {
      if (url.pathname === '/api/aggregates') {
        const slice = url.searchParams.get('slice') ?? undefined
        const days = server.aggregates
          ? await L.listAggregates(lake, url.searchParams.get('site'), 'UTC', '0000-01-01', '9999-12-31', slice)
          : []
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
        return res.end(JSON.stringify({ site: url.searchParams.get('site'), tz: 'UTC', days }))
      }
      if (url.pathname === '/api/files') {
        const q = url.searchParams
        const files = await L.listLakeFiles(
          lake,
          q.get('site'),
          q.get('table') ?? 'events',
          Date.parse(q.get('from')),
          Date.parse(q.get('to')),
          server.rollups && q.get('rollups') === '1',
        )
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
        return res.end(JSON.stringify({ files }))
      }
      if (url.pathname.startsWith('/data/')) {
        const o = await lake.get(decodeURIComponent(url.pathname.slice(6)))
        if (!o) throw new Error('no such file')
        const body = new Uint8Array(await o.arrayBuffer())
        res.writeHead(200, {
          'Content-Type': 'application/vnd.apache.parquet',
          'Content-Length': body.byteLength,
          'Cache-Control': 'private, max-age=31536000, immutable',
        })
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
  return new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(http)))
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

async function browserRun(origin, range, coldOnly = false, rangeName = '7d') {
  const profile = await mkdtemp(join(tmpdir(), 'footfall-bench-chromium-'))
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ARGS,
    headless: true,
  })
  try {
    return await (rangeName === '7d' ? measure(ctx, origin, range, coldOnly) : measureYear(ctx, origin, rangeName))
  } finally {
    // Also when a run fails: no Chromium left behind.
    await ctx.close()
    await rm(profile, { recursive: true, force: true })
  }
}

async function measure(ctx, origin, _range, coldOnly) {
  const page = await ctx.newPage()
  const url = `${origin}/dashboard/?range=7d#token=bench` // the default range; `range` is what it covers at the start
  const settled = () =>
    page.waitForFunction(() => !!document.querySelector('[data-testid=load-stats]') && !document.querySelector('[aria-busy=true]'), null, {
      timeout: 600_000,
      polling: 50,
    })
  const firstChart = async (reload) => {
    const t = performance.now()
    await (reload ? page.reload() : page.goto(url))
    // An error (out of memory) ends the run instead of waiting for a chart that will not come.
    // The chart is drawn (uPlot's canvas), not only mounted.
    await page.waitForSelector('[data-testid=chart] canvas, [role=alert]', { timeout: 600_000 })
    const chart = performance.now() - t
    const alert = await page.$('[role=alert]')
    if (alert) throw new Error(`after ${(chart / 1000).toFixed(1)} s: ${await alert.textContent()}`)
    const source = await page.getAttribute('[data-testid=timeseries]', 'data-source')
    const bars = await page.$$eval('[data-testid=chart] li [data-line="0"]', (els) => els.map((e) => Number(e.dataset.value)))
    await settled()
    const after = await page.$$eval('[data-testid=chart] li [data-line="0"]', (els) => els.map((e) => Number(e.dataset.value)))
    // The first chart (from rollups) and the one from the events must agree, or the times mean nothing.
    if (JSON.stringify(bars) !== JSON.stringify(after)) throw new Error(`the first chart (${source}) differs from the events' chart`)
    return { chart, all: performance.now() - t, source }
  }
  const cold = await firstChart()
  if (coldOnly) return { cold }
  const stats = await page.$eval('[data-testid=load-stats]', (e) => JSON.parse(e.dataset.timings))
  const heap = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize : null))
  const cached = await firstChart(true)
  // Full refresh, warm: the listing (no new file) and every overview panel again.
  const refresh = []
  for (let i = 0; i < 3; i++) {
    const v = Number(await page.getAttribute('main', 'data-version'))
    const t = performance.now()
    await page.click('text=Refresh')
    // Panels are busy from the render that bumps the version (usePanelQuery): one check sees both.
    await page.waitForFunction(
      (n) => Number(document.querySelector('main')?.getAttribute('data-version')) > n && !document.querySelector('[aria-busy=true]'),
      v,
      { timeout: 600_000, polling: 20 },
    )
    refresh.push(performance.now() - t)
  }
  const kpi = await page.textContent('[data-testid=kpi-pageviews]')
  const errors = await page.$$eval('[role=alert]', (es) => es.map((e) => e.textContent))
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
    // The overview's other queries (Overview.tsx): the event picker, the first event's property keys and the
    // values of its first key, and the breakdowns.
    const [name] = (await run(L.eventNames(scope))).map((r) => r.name)
    const [key] = name ? (await run(L.propKeys(range, name, o))).map((r) => r.key) : []
    const props = name ? [L.propKeys(range, name, o), ...(key ? [L.eventProps(range, name, key, { ...o, limit: 10 })] : [])] : []
    const all = [...first, L.eventNames(scope), ...props, ...L.BREAKDOWNS.map((b) => b.query(scope))]
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

/**
 * The dashboard opened at `rangeName` (Last 12 months), cold: time to the first chart and to every panel,
 * bytes and requests of lake files, the page's memory (JS heap and DuckDB's); then a full refresh warm, and a
 * filter (the first country) added by a click: to every panel again, or to the question before a raw download.
 */
async function measureYear(ctx, origin, rangeName) {
  const page = await ctx.newPage()
  const lake = { bytes: 0, requests: 0 }
  page.on('response', (r) => {
    if (!r.url().includes('/data/')) return
    lake.requests++
    lake.bytes += Number(r.headers()['content-length'] ?? 0)
  })
  const settled = () =>
    page.waitForFunction(() => !!document.querySelector('[data-testid=load-stats]') && !document.querySelector('[aria-busy=true]'), null, {
      timeout: 600_000,
      polling: 20,
    })
  let t = performance.now()
  await page.goto(`${origin}/dashboard/?range=${rangeName}#token=bench`)
  await page.waitForSelector('[data-testid=chart] canvas, [role=alert]', { timeout: 600_000, polling: 20 })
  const chart = performance.now() - t
  const alert = await page.$('[role=alert]')
  if (alert) throw new Error(`after ${(chart / 1000).toFixed(1)} s: ${await alert.textContent()}`)
  const source = await page.getAttribute('[data-testid=timeseries]', 'data-source')
  const bars = await page.$$eval('[data-testid=chart] li [data-line="0"]', (els) => els.map((e) => Number(e.dataset.value)))
  await settled()
  const all = performance.now() - t
  // The first chart (drawn early from the aggregates) and the one from DuckDB must agree, or the times mean nothing.
  const after = await page.$$eval('[data-testid=chart] li [data-line="0"]', (els) => els.map((e) => Number(e.dataset.value)))
  if (JSON.stringify(bars) !== JSON.stringify(after)) throw new Error(`the first chart (${source}) differs from the events' chart`)
  const stats = await page.$eval('[data-testid=load-stats]', (e) => JSON.parse(e.dataset.timings))
  const heap = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize : null))
  const visitors = await page.textContent('[data-testid=kpi-visitors]')
  const pageviews = await page.textContent('[data-testid=kpi-pageviews]')
  // Opened again (a returning owner): the engine's compiled code in the HTTP cache, the lake files in Cache Storage.
  t = performance.now()
  await page.reload()
  await page.waitForSelector('[data-testid=chart] canvas', { timeout: 600_000, polling: 20 })
  const reloadChart = performance.now() - t
  await settled()
  const reloaded = { chart: reloadChart, all: performance.now() - t }
  const refresh = []
  for (let i = 0; i < 3; i++) {
    const v = Number(await page.getAttribute('main', 'data-version'))
    t = performance.now()
    await page.click('text=Refresh')
    await page.waitForFunction(
      (n) => Number(document.querySelector('main')?.getAttribute('data-version')) > n && !document.querySelector('[aria-busy=true]'),
      v,
      { timeout: 600_000, polling: 20 },
    )
    refresh.push(performance.now() - t)
  }
  // A filter: the first country of its panel, clicked (its downloads counted apart).
  const opened = { ...lake }
  t = performance.now()
  await page.click('[data-testid=countries] tbody tr button.pick')
  await page.waitForFunction(
    () =>
      !!document.querySelector('[data-testid=large-download]') ||
      (location.search.includes('f=') &&
        !!document.querySelector('[data-testid=load-stats]') &&
        !document.querySelector('[aria-busy=true]')),
    null,
    { timeout: 600_000, polling: 20 },
  )
  const filter = performance.now() - t
  const asked = await page.$('[data-testid=large-download]')
  return {
    cold: { chart, all, source },
    reloaded,
    refresh: refresh.sort((a, b) => a - b)[1],
    filter,
    filterAsks: asked ? await asked.textContent() : null,
    heap,
    ...stats,
    lake: opened,
    filterBytes: lake.bytes - opened.bytes,
    visitors,
    pageviews,
  }
}

/** Native DuckDB's exact unique visitors and pageviews of the range, over the raw events (the bound's reference). */
async function nativeExact(dir, files, range) {
  const db = await DuckDBInstance.create(':memory:')
  const conn = await db.connect()
  await conn.run(L.createEventsRaw)
  const paths = files.map((f) => `'${join(dir, f.key)}'`).join(', ')
  await conn.run(`INSERT INTO events_raw BY NAME SELECT * FROM read_parquet([${paths}], hive_partitioning = false)`)
  await conn.run(L.createEventsView)
  const q = L.kpis(range)
  const [k] = (await conn.runAndReadAll(q.sql, q.params)).getRowObjectsJS()
  return { visitors: Number(k.visitors), pageviews: Number(k.pageviews) }
}

const uptime = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
const work = await mkdtemp(join(tmpdir(), 'footfall-bench-dash-'))
const results = []
for (const n of opt.sizes.split(',').filter(Boolean).map(Number)) {
  const dir = join(work, String(n))
  const end = Date.now()
  const range = L.rangeOf(L.parseState('?range=7d'), end)
  const { lake, files, compactMs, aggregateMs, aggregates } = await generate(n, dir, end)
  const bytes = files.reduce((a, f) => a + f.bytes, 0)
  const rollupBytes = files.reduce((a, f) => a + (f.rollup?.bytes ?? 0), 0)
  const listing = { rollups: true, aggregates: true }
  const server = await serve(lake, listing)
  const origin = `http://127.0.0.1:${server.address().port}`
  const wasm = await browserRun(origin, range).catch((e) => ({ error: e.message }))
  // The same lake listed without rollups and aggregates: what every panel costs from the raw events.
  listing.rollups = false
  listing.aggregates = false
  const plain = await browserRun(origin, range, true).catch((e) => ({ error: e.message }))
  server.close()
  const native = await nativeRun(dir, files, range)
  const r = { n, files: files.length, mb: bytes / 1e6, wasm, plain, native }
  results.push(r)
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`
  const open = files.filter((f) => !f.rollup)
  const lakeText =
    `${files.length} files, ${r.mb.toFixed(1)} MB; ${files.length - open.length} day files with rollups, ${(rollupBytes / 1e3).toFixed(0)} KB; ` +
    `${open.length} files without a rollup (open day), ${open.reduce((a, f) => a + f.rows, 0).toLocaleString('en')} rows (${new Date(end).toISOString().slice(11, 16)} UTC); compaction ${s(compactMs)}; ` +
    `${aggregates.length} aggregate files in ${s(aggregateMs)}, ${(aggregates.reduce((a, d) => a + d.bytes, 0) / 1e3).toFixed(0)} KB`
  if (wasm.error || plain.error) {
    console.log(
      `${n.toLocaleString('en')} events (${lakeText}): the dashboard failed: ${wasm.error ?? plain.error}; ` +
        `native: load+dedup ${s(native.load)}, sessionize ${s(native.sessionize)}, first chart queries ${s(native.firstChart)}, full refresh ${s(native.refresh)}; uptime: ${uptime()}`,
    )
    process.exitCode = 1
    continue
  }
  console.log(
    `${n.toLocaleString('en')} events (${lakeText}): first chart cold ${s(wasm.cold.chart)} (from ${wasm.cold.source}; all panels ${s(wasm.cold.all)}), ` +
      `without aggregates and rollups ${s(plain.cold.chart)} (from ${plain.cold.source}; all panels ${s(plain.cold.all)}), ` +
      `reload from cache ${s(wasm.cached.chart)}, full refresh warm ${s(wasm.refresh)}, (engine start ${s(wasm.openMs)}, decode ${s(wasm.decodeMs)}, insert ${s(wasm.insertMs)}, merge ${s(wasm.mergeMs)}, sessionize ${s(wasm.sessionizeMs)}); ` +
      `native: load+dedup ${s(native.load)}, sessionize ${s(native.sessionize)}, first chart queries ${s(native.firstChart)}, full refresh ${s(native.refresh)} ` +
      `(without materialised sessions ${s(native.liveRefresh)}); refresh ratio WASM/native ${(wasm.refresh / native.refresh).toFixed(1)}x` +
      (wasm.heap ? `; JS heap ${(wasm.heap / 1e6).toFixed(0)} MB` : '') +
      `; uptime: ${uptime()}`,
  )
  // The numbers must agree, or the times mean nothing.
  if (Number(wasm.kpi) !== native.pageviews) {
    console.log(`pageviews differ: dashboard ${wasm.kpi}, native ${native.pageviews}; errors on the page: ${JSON.stringify(wasm.errors)}`)
    process.exitCode = 1
  }
}
// Lakes of a year: the same model, its times spread over the 12 months before the run, opened at "Last 12 months".
const year = []
for (const n of (opt['year-sizes'] || '').split(',').filter(Boolean).map(Number)) {
  const dir = join(work, `year-${n}`)
  const end = Date.now()
  const { lake, files, compactMs, aggregateMs, aggregates } = await generate(n, dir, end, 365)
  const bytes = files.reduce((a, f) => a + f.bytes, 0)
  const server = await serve(lake)
  const origin = `http://127.0.0.1:${server.address().port}`
  const range = L.rangeOf(L.parseState('?range=12mo'), end)
  const w = await browserRun(origin, range, false, '12mo').catch((e) => ({ error: e.message }))
  server.close()
  if (w.error) {
    console.log(`${n.toLocaleString('en')} events over a year: the dashboard failed: ${w.error}; uptime: ${uptime()}`)
    process.exitCode = 1
    continue
  }
  const exact = await nativeExact(dir, files, range)
  const shown = Number(w.visitors.replace(/[^\d.]/g, '')) * (w.visitors.includes('k') ? 1e3 : w.visitors.includes('M') ? 1e6 : 1)
  year.push({ n, bytes, files: files.length, aggregates, compactMs, aggregateMs, w, exact, shown })
  await rm(dir, { recursive: true, force: true })
}
if (year.length) {
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`
  const mb = (b) => `${(b / 1048576).toFixed(1)} MB`
  console.log(
    `\nLast 12 months (Chromium, cold = empty Cache Storage; goals at 12M: first chart <= 1 s, every panel <= 3 s, filter <= 0.5 s, refresh <= 0.3 s, bytes <= 5 % of the lake, memory <= 1 GB); uptime: ${uptime()}`,
  )
  console.table(
    Object.fromEntries(
      year.map((y) => [
        `${(y.n / 1e6).toFixed(1)}M events`,
        {
          lake: `${y.files} files, ${mb(y.bytes)}`,
          aggregates: `${y.aggregates.length} files, ${mb(y.aggregates.reduce((a, d) => a + d.bytes, 0))} (cron ${s(y.aggregateMs)})`,
          'first chart': `${s(y.w.cold.chart)} (${y.w.cold.source === 'rollups' ? 'early' : 'DuckDB'})`,
          'all panels': s(y.w.cold.all),
          'engine start': `${s(y.w.instantiateMs)} + tables ${s(y.w.openMs - y.w.instantiateMs)}`,
          'opened again': `${s(y.w.reloaded.chart)} / ${s(y.w.reloaded.all)}`,
          'refresh warm': s(y.w.refresh),
          'filter (country)': y.w.filterAsks
            ? `${s(y.w.filter)} to ask: ${y.w.filterAsks.replace(/Download them$/, '').trim()}`
            : `${s(y.w.filter)}, raw events: ${mb(y.w.filterBytes)}`,
          'downloaded (opening)': `${mb(y.w.lake.bytes)} (${((100 * y.w.lake.bytes) / y.bytes).toFixed(2)} %), ${y.w.lake.requests} files`,
          memory: `JS ${mb(y.w.heap ?? 0)} + DuckDB ${mb(y.w.duckdbBytes ?? 0)}`,
          visitors: `${y.w.visitors} vs ${y.exact.visitors.toLocaleString('en')} exact (${((100 * (y.shown - y.exact.visitors)) / y.exact.visitors).toFixed(2)} %)`,
          pageviews:
            Number(y.w.pageviews.replace(/[^\d]/g, '')) === y.exact.pageviews || y.w.pageviews.match(/[kM]/)
              ? y.w.pageviews
              : `${y.w.pageviews} != ${y.exact.pageviews}`,
        },
      ]),
    ),
  )
  if (year.length === 2) {
    const [a, b] = year
    const r = (x, y) => (y / x).toFixed(2)
    console.log(
      `10x the events costs: first chart ${r(a.w.cold.chart, b.w.cold.chart)}x, all panels ${r(a.w.cold.all, b.w.cold.all)}x, refresh ${r(a.w.refresh, b.w.refresh)}x, bytes ${r(a.w.lake.bytes, b.w.lake.bytes)}x (goal <= 2x)`,
    )
  }
}
await rm(work, { recursive: true, force: true })
