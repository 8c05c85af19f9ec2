// `npm run cost`: what a site owner pays Cloudflare, from operations counted on the running local stack.
//
// The worker under test runs on `wrangler dev` (workerd with Miniflare's Queues and R2, loopback) wrapped by
// bench/platform/cost-meter.ts, which counts every billable operation as it passes to the real binding. Then:
//   1. traffic: --visits visits of the demo shop's model (examples/generator/model.ts), each sent as the
//      tracker sends it (examples/generator/tracker.ts: the batch timer's fetches and the leave beacon), with
//      the visitor's IP and user agent, at --rate requests a second, --concurrency visits at a time;
//   2. the queue drains (every message written is delivered and acknowledged);
//   3. the cron runs as if at 03:00 UTC tomorrow (today's hours and day are closed: compaction, rollups,
//      aggregates), then once more 15 minutes later with nothing to do (what each of a month's 2,880 runs
//      costs at least);
//   4. a dashboard opens the last 30 days: --dashboard runs the built dashboard in headless Chromium on the
//      same state and counts the worker requests and R2 reads it makes.
// The counts are then priced for 1M, 5M and 50M pageviews a month (PRICES below, with their sources).
//
// Measured per pageview, and so scaled linearly: Worker requests of the collector, queue messages and their
// operations (write, read per delivery incl. retries, delete), the consumer's R2 writes per part file,
// compaction's reads per part, bytes stored. Not rate-invariant, and so computed from Queues' batching rule
// at each tier's arrival rate: how many messages a consumer batch holds (a batch is delivered when
// max_batch_size messages wait or max_batch_timeout after its first; wrangler.toml), so the number of
// consumer invocations and part files. The local run's own batches are printed beside the rule's figure for
// its rate, as a check. The cron's fixed cost is per run (every 15 minutes), its compaction cost per part,
// per hour and per day of the month. CPU is workerd's process CPU (/proc) over each phase: an upper bound, it
// includes Miniflare's own simulation of Queues and R2 running in the same process.
//
// --base <git ref> measures that commit in the same run: its worker (edge/, warehouse/ and wrangler.toml) and
// its tracker's requests (examples/generator/tracker.ts with the sdk/src it imports), for the same visits.
//
// --what-if-timeout <s> (default 10) also prices the month with that max_batch_timeout, from the same counts.
//
//   node bench/cost.mjs [--visits 250] [--rate 80] [--concurrency 20] [--base <ref>] [--dashboard]
//                       [--opens 300] [--seed cost] [--backfill-per-day 500] [--what-if-timeout 10] [--json FILE]
import { execSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { uploadGeoDb } from '../scripts/geo-db.mjs'
import { freePort, startWranglerDev, waitFor } from '../scripts/wrangler-dev.mjs'
import { descendants } from './procs.mjs'
import { importTs } from './ts.mjs'

const root = join(import.meta.dirname, '..')
const { values: opt } = parseArgs({
  options: {
    visits: { type: 'string', default: '250' },
    rate: { type: 'string', default: '80' },
    concurrency: { type: 'string', default: '20' },
    base: { type: 'string' },
    dashboard: { type: 'boolean' },
    opens: { type: 'string', default: '300' },
    seed: { type: 'string', default: 'cost' },
    'backfill-per-day': { type: 'string', default: '500' },
    json: { type: 'string' }, // writes every count of the run to this file
    // Also prices a deployment whose consumer waits this long for a batch (s; modelled with the same counts)
    'what-if-timeout': { type: 'string', default: '10' },
  },
})

/**
 * Cloudflare's list prices (USD), read 2026-12-07 from the stored copies of Cloudflare's own pages
 * (github.com/cloudflare/cloudflare-docs, the sources of developers.cloudflare.com):
 *   Workers  developers.cloudflare.com/workers/platform/pricing/ (src/content/docs/workers/platform/pricing.mdx):
 *            Paid plan $5 a month, Standard: 10M requests included + $0.30/M, 30M CPU ms included + $0.02/M ms
 *   Queues   developers.cloudflare.com/queues/platform/pricing/ (src/content/partials/workers/queues_pricing.mdx):
 *            1M operations a month included + $0.40/M; an operation per 64 KB written, read or deleted; a
 *            retry is a read
 *   R2       developers.cloudflare.com/r2/pricing/ (src/content/docs/r2/pricing.mdx): Standard storage
 *            $0.015/GB-month (10 GB free), Class A $4.50/M (1M free; PutObject, ListObjects, ...), Class B
 *            $0.36/M (10M free; GetObject, HeadObject), DeleteObject free
 */
export const PRICES = {
  plan: 5,
  requests: { included: 10e6, perMillion: 0.3 },
  cpuMs: { included: 30e6, perMillion: 0.02 },
  queueOps: { included: 1e6, perMillion: 0.4 },
  classA: { included: 1e6, perMillion: 4.5 },
  classB: { included: 10e6, perMillion: 0.36 },
  storageGb: { included: 10, perGbMonth: 0.015 },
  // Pipelines, on paper (docs/pipelines.md): developers.cloudflare.com/pipelines/platform/pricing/
  // (src/content/docs/pipelines/platform/pricing.mdx): stream ingress free; SQL transforms (any pipeline's
  // query counts) 50 GB included + $0.04/GB; R2 sink as Parquet/Iceberg 50 GB included + $0.06/GB, both on
  // uncompressed data
  pipelineTransformGb: { included: 50, perGb: 0.04 },
  pipelineSinkGb: { included: 50, perGb: 0.06 },
}
const MONTH_S = 30 * 86_400
const CRON_RUNS = MONTH_S / (15 * 60) // `*/15 * * * *`
const TIERS = [1e6, 5e6, 50e6]

const G = await importTs('lib/cost.ts')

// ---------------------------------------------------------------------------------------------- the stack

/** The worker under test (this tree's, or `ref`'s edge/ and warehouse/) wrapped by the meter, and its config. */
async function target(name, ref) {
  const dir = join(root, 'dist/cost', name)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  // A copy of the worker's sources (this tree's, or the commit's): wrangler dev reloads a worker whose files
  // change, which would reset the counts mid-run.
  const src = join(dir, 'src')
  await mkdir(src)
  let toml = await readFile(join(root, 'wrangler.toml'), 'utf8')
  if (ref) {
    execSync(`git archive ${ref} edge warehouse sdk/src examples/generator/tracker.ts | tar -x -C ${src}`, { cwd: root })
    toml = execSync(`git show ${ref}:wrangler.toml`, { cwd: root, encoding: 'utf8' })
  } else execSync(`cp -r edge warehouse ${src}/`, { cwd: root })
  // How the target's tracker sends a visit: this tree's, or the commit's model of its tracker.
  const tracker = ref
    ? (await importTs(`cost-tracker-${name}`, `export { trackerRequests } from '${src}/examples/generator/tracker.ts'`)).trackerRequests
    : G.trackerRequests
  await writeFile(
    join(dir, 'entry.ts'),
    `import worker from '${src}/edge/index.ts'\nimport { metered } from '${root}/bench/platform/cost-meter.ts'\nexport default metered(worker)\n`,
  )
  const withMain = toml.replace(/^main = ".*"$/m, 'main = "entry.ts"')
  // Without [assets]: wrangler dev 4.86 sends the scheduled trigger route to the asset router when it is set
  // (test/reliability/support/stack-dev.ts). Static files never reach the worker and cost nothing on Cloudflare.
  const noAssets = withMain.replace(/^\[assets\][\s\S]*?(?=^\[)/m, '')
  const withAssets = withMain.replace(/^directory = "/m, `directory = "${root}/`)
  if (noAssets.includes('[assets]') || !noAssets.includes('main = "entry.ts"')) throw new Error(`cannot rewrite ${name}'s wrangler.toml`)
  await writeFile(join(dir, 'wrangler.toml'), noAssets)
  await writeFile(join(dir, 'wrangler.assets.toml'), withAssets)
  const batching = {
    size: Number(toml.match(/^max_batch_size = (\d+)/m)?.[1] ?? 10),
    timeout: Number(toml.match(/^max_batch_timeout = (\d+)/m)?.[1] ?? 5),
  }
  return { name, ref, config: join(dir, 'wrangler.toml'), assetsConfig: join(dir, 'wrangler.assets.toml'), batching, tracker }
}

/** CPU ms used so far by the stack's workerd processes (all threads). */
function workerdCpuMs() {
  let ns = 0
  for (const pid of descendants(process.pid)) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'workerd') continue
      for (const t of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0])
    } catch {}
  }
  return ns / 1e6
}

const meter = async (url, q = '') => (await fetch(`${url}/__meter${q}`)).json()
const diff = (a, b) =>
  Object.fromEntries(
    Object.keys(b)
      .map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)])
      .filter(([, v]) => v),
  )
const sum = (m, re) => Object.entries(m).reduce((s, [k, v]) => (re.test(k) ? s + v : s), 0)

// ---------------------------------------------------------------------------------------------- traffic

/** The run's visits: --visits visits of the model (this tree's), the same events for every target. */
function traffic() {
  const rng = new G.Random(opt.seed)
  const run = `c${Date.now().toString(36)}`
  let ids = 0
  const visits = []
  for (let i = 0; i < Number(opt.visits); i++) {
    const v = G.newVisitor(rng.fork(`visitor-${i}`), i)
    visits.push({
      v,
      events: G.session(rng.fork(`visit-${i}`), v, 0, { base: 'http://127.0.0.1/demo/', nextId: () => `${run}-${(ids++).toString(36)}` }),
    })
  }
  return visits
}

/** Each visit's requests as the target's tracker sends them. */
const requestsOf = (t, visits) => visits.map(({ v, events }) => ({ v, requests: t.tracker(events) }))

async function send(url, visits) {
  const rate = Number(opt.rate)
  const started = Date.now()
  let sent = 0
  const statuses = {}
  const problems = []
  let pageviews = 0
  let events = 0
  const next = visits.map((_, i) => i)
  const one = async () => {
    for (let i = next.shift(); i !== undefined; i = next.shift()) {
      const { v, requests } = visits[i]
      for (const r of requests) {
        // Paced: request k of the run leaves at k / rate seconds.
        const k = sent++
        const wait = started + (k * 1000) / rate - Date.now()
        if (wait > 0) await new Promise((res) => setTimeout(res, wait))
        const now = Date.now()
        const body = JSON.stringify({
          site: 'demo',
          sentAt: now,
          events: r.events.map((e) => ({ ...e, ts: now - Math.min(60_000, r.at - e.ts) })),
        })
        const res = await fetch(`${url}/e`, {
          method: 'POST',
          headers: {
            'Content-Type': 'text/plain;charset=UTF-8',
            Origin: 'http://127.0.0.1',
            'User-Agent': v.userAgent,
            'CF-Connecting-IP': v.ip,
          },
          body,
        })
        const text = await res.text()
        if (res.status !== 202 && problems.length < 5) problems.push(`${res.status} ${text.slice(0, 200)}`)
        statuses[res.status] = (statuses[res.status] ?? 0) + 1
        pageviews += r.events.filter((e) => e.type === 'pageview').length
        events += r.events.length
      }
    }
  }
  await Promise.all(Array.from({ length: Number(opt.concurrency) }, one))
  return { requests: sent, pageviews, events, statuses, problems, seconds: (Date.now() - started) / 1000 }
}

/** Until every message written to a queue is acknowledged (deliveries and retries settle). */
async function drain(url) {
  let last
  await waitFor(async () => {
    last = await meter(url)
    const written = sum(last, /^queue\.[^.]+\.messages$/)
    const deleted = Object.keys(last)
      .filter((k) => /^queue\.[^.]+\.delete$/.test(k))
      .reduce((s, k) => s + last[k], 0)
    // deletes count 64 KB chunks; messages here are far below, so one chunk each
    return written > 0 && deleted >= written
  }, 120_000)
  await new Promise((r) => setTimeout(r, 1000)) // the consumer's last acks are counted after its writes
  return last
}

async function cron(url, time) {
  const res = await fetch(`${url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('*/15 * * * *')}&time=${time}`)
  if (!res.ok) throw new Error(`cron at ${new Date(time).toISOString()}: ${res.status} ${await res.text()}`)
}

/** The built dashboard in headless Chromium at "Last 30 days", until its overview is drawn. */
async function openDashboard(url) {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  try {
    const page = await browser.newPage()
    const requests = []
    page.on('request', (r) => requests.push(new URL(r.url()).pathname))
    await page.goto(`${url}/dashboard/?site=demo&range=30d#token=bench`)
    // Loaded (test/dashboard/aggregates.test.ts waits the same way): the load's summary is there, no panel is busy.
    await page.waitForSelector('[data-testid=load-stats]', { timeout: 120_000 })
    await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { timeout: 120_000 })
    await page.waitForLoadState('networkidle', { timeout: 30_000 })
    return requests
  } finally {
    await browser.close()
  }
}

// ---------------------------------------------------------------------------------------------- a run

async function measure(t, visits) {
  const state = await mkdtemp(join(tmpdir(), `footfall-cost-${t.name}-`))
  await uploadGeoDb({ persistTo: state })
  // A lake in use: the 29 days before today as the cron leaves them (day files, rollups, aggregates), so the
  // cron's runs list what a month-old lake holds and the dashboard opens 30 days of it.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  const backfill = `node examples/generator/cli.mjs backfill --days 29 --events-per-day ${opt['backfill-per-day']} --end ${yesterday} --persist-to ${state}`
  try {
    execSync(backfill, { cwd: root, stdio: 'pipe' })
  } catch (e) {
    // Once seen failing right after the previous target's stack stopped (load average ~7): tried once more.
    process.stderr.write(`cost: backfill failed (${String(e.stderr ?? e.message).slice(-500)}), trying again\n`)
    execSync(backfill, { cwd: root, stdio: 'pipe' })
  }
  const vars = { DASHBOARD_TOKEN: 'bench', QUEUE_JOURNAL: 'off' } // the queue journal is local only (edge/journal.ts)
  const port = await freePort()
  let dev = await startWranglerDev({ port, persistTo: state, config: t.config, vars })
  const phases = {}
  try {
    const m0 = await meter(dev.url, '?stored')
    const c0 = workerdCpuMs()
    const sent = await send(dev.url, visits)
    const m1 = await drain(dev.url)
    const c1 = workerdCpuMs()
    phases.ingest = { ops: diff(m0, m1), cpuMs: c1 - c0 }
    const tomorrow = Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000 + 3 * 3_600_000
    await cron(dev.url, tomorrow)
    const m2 = await meter(dev.url)
    const c2 = workerdCpuMs()
    phases.cron = { ops: diff(m1, m2), cpuMs: c2 - c1 }
    await cron(dev.url, tomorrow + 15 * 60_000)
    const m3 = await meter(dev.url, '?stored')
    const c3 = workerdCpuMs()
    phases.idleCron = { ops: diff(m2, m3), cpuMs: c3 - c2 }
    // What the run's traffic added to the lake, once compacted (the backfilled days were there before).
    phases.stored = Object.fromEntries(Object.entries(diff(m0, m3)).filter(([k]) => k.startsWith('stored.')))
    if (opt.dashboard) {
      await dev.stop()
      dev = await startWranglerDev({ port, persistTo: state, config: t.assetsConfig, vars })
      const m4 = await meter(dev.url)
      const c4 = workerdCpuMs()
      const paths = await openDashboard(dev.url)
      const m5 = await meter(dev.url)
      phases.dashboard = { ops: diff(m4, m5), cpuMs: workerdCpuMs() - c4, paths: paths.length }
    }
    return { ...t, sent, phases }
  } catch (e) {
    console.error(dev.logs().slice(-4000))
    throw e
  } finally {
    await dev.stop()
    await rm(state, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------- the model

/** Messages a consumer batch holds at `lambda` messages a second: the first, and those of the next `timeout` s. */
const batchSize = (lambda, b) => Math.min(b.size, 1 + lambda * b.timeout)

/** A month at `pv` pageviews: every billable quantity, from the run's counts. */
function month(r, pv) {
  const { ingest, cron: c, idleCron: idle, dashboard } = r.phases
  const per = pv / r.sent.pageviews // the run's traffic scaled to the month's
  const messages = sum(ingest.ops, /^queue\.[^.]+\.messages$/) * per
  const lambda = messages / MONTH_S
  const batches = messages / batchSize(lambda, r.batching)
  const runBatches = ingest.ops['worker.queue'] ?? 0
  // The consumer's R2 writes per batch, as measured (a batch is one part per partition it holds).
  const partsPerBatch = sum(ingest.ops, /^r2\.queue\.A\.put\./) / runBatches
  const parts = partsPerBatch * batches
  const runParts = sum(ingest.ops, /^r2\.queue\.A\.put\./)
  // Compaction beyond the idle run: per part (reads of raw parts), per hour file, per day (everything else).
  const excess = diff(idle.ops, c.ops)
  const runHours = Math.max(1, c.ops['r2.scheduled.A.put.events-hour'] ?? 0)
  const scaleOf = (k) => (/part$/.test(k) ? parts / runParts : /events-hour$/.test(k) ? 720 / runHours : 30)
  const cronOps = (re) =>
    sum(idle.ops, re) * CRON_RUNS + Object.entries(excess).reduce((s, [k, v]) => (re.test(k) ? s + v * scaleOf(k) : s), 0)
  const opens = dashboard ? Number(opt.opens) : 0
  const dash = (re) => (dashboard ? sum(dashboard.ops, re) * opens : 0)

  const q = {
    collectorRequests: (ingest.ops['worker.fetch.e'] ?? 0) * per,
    consumerInvocations: batches,
    cronInvocations: CRON_RUNS,
    dashboardRequests: dash(/^worker\.fetch\.[^.]+$/),
    queueOps: sum(ingest.ops, /^queue\.[^.]+\.(write|read|delete)$/) * per,
    // The consumer's puts scale with batches; the collector's own R2 calls (salt, geo) with pageviews.
    classA: sum(ingest.ops, /^r2\.fetch\.A\./) * per + partsPerBatch * batches + cronOps(/^r2\.scheduled\.A\./) + dash(/^r2\.fetch\.A\./),
    classB: sum(ingest.ops, /^r2\.(fetch|queue)\.B\./) * per + cronOps(/^r2\.scheduled\.B\./) + dash(/^r2\.fetch\.B\./),
    cpuMs: ingest.cpuMs * per + idle.cpuMs * CRON_RUNS + (c.cpuMs - idle.cpuMs) * per + (dashboard ? dashboard.cpuMs * opens : 0),
    storedGb: (sum(r.phases.stored, /^stored\.bytes\.(events|rollups|aggregates|dropped)/) * per) / 1e9,
    // The enriched events as JSON, what a Pipelines stream would receive (and its sink bill, uncompressed)
    streamGb: (sum(ingest.ops, /^queue\.[^.]+\.bytes$/) * per) / 1e9,
  }
  q.requests = q.collectorRequests + q.consumerInvocations + q.cronInvocations + q.dashboardRequests
  const over = (n, p) => (Math.max(0, n - p.included) / 1e6) * p.perMillion
  const usd = {
    plan: PRICES.plan,
    requests: over(q.requests, PRICES.requests),
    cpu: over(q.cpuMs, PRICES.cpuMs),
    queues: over(q.queueOps, PRICES.queueOps),
    r2A: over(q.classA, PRICES.classA),
    r2B: over(q.classB, PRICES.classB),
    storage: Math.max(0, q.storedGb - PRICES.storageGb.included) * PRICES.storageGb.perGbMonth,
  }
  usd.total = Object.values(usd).reduce((a, b) => a + b, 0)
  // On paper: the same collector requests, CPU, cron, dashboard and storage, with a Pipelines stream and R2
  // sink instead of the queue and its consumer (no queue operations, no consumer invocations or part writes).
  const gb = (n, p) => Math.max(0, n - p.included) * p.perGb
  const pipeRequests = q.collectorRequests + q.cronInvocations + q.dashboardRequests
  const pipelines = {
    requests: over(pipeRequests, PRICES.requests),
    transform: gb(q.streamGb, PRICES.pipelineTransformGb),
    sink: gb(q.streamGb, PRICES.pipelineSinkGb),
    r2A: over(q.classA - partsPerBatch * batches, PRICES.classA),
  }
  pipelines.total =
    PRICES.plan + pipelines.requests + usd.cpu + pipelines.transform + pipelines.sink + pipelines.r2A + usd.r2B + usd.storage
  return { q, usd, pipelines, batchSize: batchSize(lambda, r.batching), runBatches }
}

// ---------------------------------------------------------------------------------------------- main

const visits = traffic()
const targets = [await target('footfall'), ...(opt.base ? [await target('base', opt.base)] : [])]
const load0 = loadavg()
const results = []
for (const t of targets) {
  process.stderr.write(`cost: ${t.name}${t.ref ? ` (${t.ref})` : ''}: ${visits.length} visits...\n`)
  results.push(await measure(t, requestsOf(t, visits)))
  if (opt.json) await writeFile(opt.json, JSON.stringify(results, null, 2)) // kept if a later target fails
}
const load1 = loadavg()

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const usd = (n) => `$${fmt(n, 2)}`
console.log(`\n## npm run cost (${new Date().toISOString().slice(0, 10)})\n`)
console.log(
  `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${fmt(totalmem() / 2 ** 30)} GB, Node ${process.version}; load average (uptime) ${load0.map((l) => l.toFixed(2)).join(' ')} at the start, ${load1.map((l) => l.toFixed(2)).join(' ')} at the end.`,
)
console.log(
  `Traffic: ${visits.length} visits of the demo shop's model (seed "${opt.seed}"), as the tracker sends them, ${opt.rate} requests/s, ${opt.concurrency} visits at a time, loopback.\n`,
)

for (const r of results) {
  const { ingest, cron: c, idleCron: idle, dashboard } = r.phases
  const label = r.ref ? `base ${r.ref}` : 'footfall (this tree)'
  console.log(`### ${label}\n`)
  console.log(
    `Sent ${fmt(r.sent.requests)} requests (${fmt(r.sent.pageviews)} pageviews, ${fmt(r.sent.events)} events) in ${fmt(r.sent.seconds, 1)} s; statuses ${JSON.stringify(r.sent.statuses)}${r.sent.problems.length ? ` (${r.sent.problems.join('; ')})` : ''}.`,
  )
  const perK = (n) => fmt((n / r.sent.pageviews) * 1000, 1)
  console.log(
    `\nMeasured, per 1,000 pageviews: ${perK(ingest.ops['worker.fetch.e'] ?? 0)} collector requests, ${perK(sum(ingest.ops, /^queue\.[^.]+\.messages$/))} queue messages, ` +
      `${perK(sum(ingest.ops, /^queue\.[^.]+\.(write|read|delete)$/))} queue operations (${perK(sum(ingest.ops, /^queue\.[^.]+\.retried$/))} retried), ` +
      `${perK(sum(ingest.ops, /^r2\.fetch\.[AB]\./))} R2 calls by the collector; workerd CPU ${fmt((ingest.cpuMs / r.sent.pageviews) * 1000)} ms (collector and consumer).`,
  )
  console.log(
    `Consumer: ${fmt(ingest.ops['worker.queue'] ?? 0)} batches at this run's rate (${fmt(sum(ingest.ops, /^queue\.[^.]+\.delivered$/) / Math.max(1, ingest.ops['worker.queue'] ?? 0), 1)} messages each; max_batch_size ${r.batching.size}, max_batch_timeout ${r.batching.timeout} s), ` +
      `${fmt(sum(ingest.ops, /^r2\.queue\.A\.put\./))} R2 puts; Queues' batching rule gives ${fmt(batchSize(sum(ingest.ops, /^queue\.[^.]+\.messages$/) / r.sent.seconds, r.batching), 1)} messages a batch at this rate.`,
  )
  console.log(
    `Cron (compaction + aggregates of the run's day): ${JSON.stringify(Object.fromEntries(Object.entries(c.ops).filter(([k]) => k.startsWith('r2.'))))}, ${fmt(c.cpuMs)} ms CPU; an idle run: ${JSON.stringify(Object.fromEntries(Object.entries(idle.ops).filter(([k]) => k.startsWith('r2.'))))}, ${fmt(idle.cpuMs)} ms CPU.`,
  )
  if (dashboard)
    console.log(
      `Dashboard, last 30 days: ${JSON.stringify(Object.fromEntries(Object.entries(dashboard.ops).filter(([k]) => !k.includes('status'))))}, ${fmt(dashboard.cpuMs)} ms CPU; priced at ${opt.opens} openings a month.`,
    )
  console.log(`Stored after compaction: ${JSON.stringify(r.phases.stored)}\n`)
  console.log(
    '| pageviews / month | requests (collector + consumer + cron + dashboard) | CPU ms | queue ops (msgs/batch) | R2 Class A | R2 Class B | GB stored (a month of events) | plan | requests | CPU | Queues | R2 A | R2 B | storage | total |',
  )
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const pv of TIERS) {
    const { q, usd: u, batchSize: b } = month(r, pv)
    console.log(
      `| ${fmt(pv / 1e6)}M | ${fmt(q.requests)} (${fmt(q.collectorRequests)} + ${fmt(q.consumerInvocations)} + ${fmt(q.cronInvocations)} + ${fmt(q.dashboardRequests)}) | ${fmt(q.cpuMs)} | ${fmt(q.queueOps)} (${fmt(b, 1)}) | ${fmt(q.classA)} | ${fmt(q.classB)} | ${fmt(q.storedGb, 2)} | ${usd(u.plan)} | ${usd(u.requests)} | ${usd(u.cpu)} | ${usd(u.queues)} | ${usd(u.r2A)} | ${usd(u.r2B)} | ${usd(u.storage)} | **${usd(u.total)}** |`,
    )
  }
  const m5 = month(r, 5e6)
  const m50 = month(r, 50e6)
  console.log(`\nPer further million pageviews (5M -> 50M): ${usd((m50.usd.total - m5.usd.total) / 45)}\n`)
  const alt = { ...r, batching: { ...r.batching, timeout: Number(opt['what-if-timeout']) } }
  console.log(
    `With max_batch_timeout = ${alt.batching.timeout} s (a deployment's choice; modelled from the same counts): ` +
      TIERS.map((pv) => `${fmt(pv / 1e6)}M ${usd(month(alt, pv).usd.total)} (${fmt(month(alt, pv).q.consumerInvocations)} batches)`).join(
        ', ',
      ) +
      '\n',
  )
  console.log('On paper, a Pipelines stream and R2 sink instead of the queue and consumer (docs/pipelines.md), from the same counts:\n')
  console.log('| pageviews / month | stream GB (uncompressed JSON) | requests | SQL transform | sink | total |')
  console.log('|---:|---:|---:|---:|---:|---:|')
  for (const pv of TIERS) {
    const { q, pipelines: p } = month(r, pv)
    console.log(
      `| ${fmt(pv / 1e6)}M | ${fmt(q.streamGb, 1)} | ${usd(p.requests)} | ${usd(p.transform)} | ${usd(p.sink)} | **${usd(p.total)}** |`,
    )
  }
  console.log(`\nPer further million pageviews (5M -> 50M), on paper: ${usd((m50.pipelines.total - m5.pipelines.total) / 45)}\n`)
}
if (opt.json) await writeFile(opt.json, JSON.stringify(results, null, 2))
await rm(join(root, 'dist/cost'), { recursive: true, force: true })
