// `npm run bench`: throughput and latency of POST /e on `wrangler dev` (workerd + Miniflare's local Queue
// and R2, the geo database in R2) against two baselines, in the same run, on loopback, with autocannon:
//   bare      a Hono worker that reads the body and answers 204 (bench/bare/): the goal's reference;
//   platform  the same rate-limiter call and queue send as the collector, no work (bench/platform/):
//             what Miniflare's local simulation of the bindings costs by itself;
//   platform+assets  the platform worker with footfall's own [assets] block (directory, binding,
//             run_worker_first) added: every local cost footfall pays that is not its own code, so its
//             ratio to bare is the best footfall can score on this machine (the ceiling).
// and two Footfall workers: `footfall` (wrangler.toml as deployed) and `footfall-no-assets`, the same
// worker without its [assets] block, because locally every request, even to a run_worker_first route,
// passes through Miniflare's asset router first (on Cloudflare that routing happens before the worker).
// Rounds alternate the workers so all see the same machine state. Besides req/s, each run reports the CPU
// time the stack's processes (wrangler + workerd) used per request, read from /proc: on a machine shared
// with other jobs, req/s swings with their load, the CPU a request costs much less.
//
// To split footfall's cost beyond platform+assets into its parts, two more controls:
//   footfall-ack  footfall as deployed with a queue consumer that only acknowledges (bench/platform/
//                 footfall-ack.ts): footfall - footfall-ack is the consumer (Parquet, R2), the rest the collector;
//   platform+assets+rows  platform+assets sending messages of footfall's size and shape (3 rows, ~3.1 KB)
//                 instead of a few bytes: what the local queue charges for footfall's messages;
//   footfall-encode, footfall-put  footfall-ack whose consumer only encodes the batch as Parquet, or only
//                 writes one part-sized object to R2: the real consumer's two costs, each alone.
//
// --base <git ref> adds `footfall-base`: that commit's edge/ and warehouse/ under footfall's config, for a
// before/after in the same run.
//
//   node bench/ingest.mjs [--duration 10] [--connections 16] [--rounds 2] [--rate <req/s>] [--base <ref>]
//     [--only bare,platform,platform+assets,platform+assets+rows,footfall,footfall-no-assets,footfall-ack,
//       footfall-encode,footfall-put,footfall-base]
//
// Each request is one realistic batch of 3 events (pageview, custom event with props, engagement) with
// fresh event ids and a client IP drawn from a pool of 10,000 addresses (CF-Connecting-IP), so the rate
// limiter (300 requests a minute per site and IP) sees many visitors, as it does in production.
import autocannon from 'autocannon'
import { execSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { uploadGeoDb } from '../scripts/geo-db.mjs'
import { descendants } from './procs.mjs'
import { freePort, startWranglerDev } from '../scripts/wrangler-dev.mjs'
import { body, ip, UA } from './batch.mjs'

const root = join(import.meta.dirname, '..')
const { values: opt } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
    // A fixed request rate (req/s, all connections together) instead of as fast as possible: every worker then
    // serves the same requests at the same pace, and its CPU per request is not moved by how hard the
    // machine's other jobs squeeze it at saturation (the CPU columns are then the figures to compare).
    rate: { type: 'string' },
    // footfall-base: another commit's worker (its edge/ and warehouse/) with footfall's config, in the same run
    base: { type: 'string' },
    only: { type: 'string' }, // some of the workers (the ratios between those measured)
  },
})
const duration = Number(opt.duration)
const connections = Number(opt.connections)
const rounds = Number(opt.rounds)

/** Starts `wrangler dev` with the given config on a free loopback port; returns its URL and a stop(). */
async function start(name, config, extraVars = {}) {
  const state = await mkdtemp(join(tmpdir(), `footfall-bench-${name}-`))
  if (name.startsWith('footfall')) await uploadGeoDb({ persistTo: state })
  // QUEUE_JOURNAL off: the worker as deployed (on Cloudflare the queue is durable; the local stack journals
  // it in R2, edge/journal.ts, at the cost of one R2 write per request).
  const dev = await startWranglerDev({
    port: await freePort(),
    persistTo: state,
    config,
    vars: { DASHBOARD_TOKEN: 'bench', QUEUE_JOURNAL: 'off', ...extraVars },
    logs: false,
  })
  const stop = async () => {
    await dev.stop()
    await rm(state, { recursive: true, force: true })
  }
  return { url: dev.url, stop }
}

/** A copy of the worker's config without its [assets] block, written beside it (same relative paths). */
async function withoutAssets(config) {
  const toml = await readFile(config, 'utf8')
  const copy = join(root, 'dist/wrangler.no-assets.toml')
  await mkdir(dirname(copy), { recursive: true })
  const stripped = toml.replace(/^\[assets\][\s\S]*?(?=^\[)/m, '').replace('main = "', 'main = "../')
  if (stripped.includes('[assets]') || !stripped.includes('main = "../')) throw new Error(`cannot strip [assets] from ${config}`)
  await writeFile(copy, stripped)
  return copy
}

/**
 * The platform worker's config with footfall's [assets] block copied in verbatim, written to dist/ like
 * the no-assets copy (paths made relative to it): the ceiling control.
 */
async function platformWithAssets(platformConfig, footfallConfig) {
  const assets = (await readFile(footfallConfig, 'utf8')).match(/^\[assets\][\s\S]*?(?=^\[)/m)?.[0]
  if (!assets?.includes('run_worker_first') || !assets.includes('directory = "')) throw new Error(`no [assets] block in ${footfallConfig}`)
  const toml = (await readFile(platformConfig, 'utf8')).replace('main = "', 'main = "../bench/platform/')
  const copy = join(root, 'dist/wrangler.platform-assets.toml')
  await mkdir(dirname(copy), { recursive: true })
  // Top-level keys must come before the first table: the [assets] table goes in front of the others.
  await writeFile(copy, toml.replace(/^\[/m, `${assets.replace('directory = "', 'directory = "../')}\n[`))
  return copy
}

/** Footfall's config with the ack-only consumer of bench/platform/footfall-ack.ts as its main, in dist/. */
async function withAckConsumer(config) {
  const toml = (await readFile(config, 'utf8'))
    .replace(/^main = ".*"$/m, 'main = "../bench/platform/footfall-ack.ts"')
    .replace('directory = "', 'directory = "../')
  if (!toml.includes('footfall-ack.ts') || !toml.includes('directory = "../')) throw new Error(`cannot rewrite ${config}`)
  const copy = join(root, 'dist/wrangler.footfall-ack.toml')
  await mkdir(dirname(copy), { recursive: true })
  await writeFile(copy, toml)
  return copy
}

/** Footfall's config running `ref`'s edge/ and warehouse/ (extracted to dist/base/, packages from ours). */
async function atBase(ref, config) {
  const dir = join(root, 'dist/base')
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  execSync(`git archive ${ref} edge warehouse | tar -x -C ${dir}`, { cwd: root })
  const toml = (await readFile(config, 'utf8'))
    .replace(/^main = ".*"$/m, 'main = "base/edge/index.ts"')
    .replace('directory = "', 'directory = "../')
  const copy = join(root, 'dist/wrangler.base.toml')
  await writeFile(copy, toml)
  return copy
}

/**
 * CPU nanoseconds used so far by the stack's processes, all threads (/proc/<pid>/task/<tid>/schedstat).
 * Other jobs on a shared machine move req/s a lot; the CPU a request costs the stack moves much less.
 */
function stackCpuNs() {
  const ns = { all: 0, workerd: 0 }
  for (const pid of descendants(process.pid)) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
      for (const t of readdirSync(`/proc/${pid}/task`)) {
        const n = Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0])
        ns.all += n
        if (comm === 'workerd') ns.workerd += n
      }
    } catch {} // the process or thread ended meanwhile
  }
  return ns
}

function load(url, seconds) {
  return autocannon({
    url: `${url}/e`,
    connections,
    duration: seconds,
    ...(opt.rate ? { overallRate: Number(opt.rate) } : {}),
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          headers: { 'Content-Type': 'text/plain', Origin: 'http://localhost', 'User-Agent': UA, 'CF-Connecting-IP': ip() },
          body: body(),
        }),
      },
    ],
  })
}

const targets = {
  bare: join(root, 'bench/bare/wrangler.toml'),
  platform: join(root, 'bench/platform/wrangler.toml'),
  'platform+assets': await platformWithAssets(join(root, 'bench/platform/wrangler.toml'), join(root, 'wrangler.toml')),
  footfall: join(root, 'wrangler.toml'),
  'footfall-no-assets': await withoutAssets(join(root, 'wrangler.toml')),
  'footfall-ack': await withAckConsumer(join(root, 'wrangler.toml')),
  ...(opt.base ? { 'footfall-base': await atBase(opt.base, join(root, 'wrangler.toml')) } : {}),
}
// platform+assets whose messages are footfall's size (3 rows, ~3.1 KB): what the local queue charges per byte.
// footfall-ack's consumer doing one part of the real consumer's work (bench/platform/footfall-ack.ts).
const rowsControl = {
  'platform+assets+rows': { config: targets['platform+assets'], vars: { MESSAGE: 'rows' } },
  'footfall-encode': { config: targets['footfall-ack'], vars: { BENCH_CONSUMER: 'encode' } },
  'footfall-put': { config: targets['footfall-ack'], vars: { BENCH_CONSUMER: 'put' } },
}
const all = { ...Object.fromEntries(Object.entries(targets).map(([k, config]) => [k, { config, vars: {} }])), ...rowsControl }
const order = [
  'bare',
  'platform',
  'platform+assets',
  'platform+assets+rows',
  'footfall',
  'footfall-no-assets',
  'footfall-ack',
  'footfall-encode',
  'footfall-put',
  'footfall-base',
]
const chosen = order.filter((k) => !opt.only || opt.only.split(',').includes(k))
const results = []
for (let round = 1; round <= rounds; round++) {
  for (const name of chosen) {
    const stack = await start(name, all[name].config, all[name].vars)
    try {
      await load(stack.url, 3) // warm-up: JIT, isolates, the geo database and salt in memory
      const cpu0 = stackCpuNs()
      const r = await load(stack.url, duration)
      const cpu1 = stackCpuNs()
      const cpuUs = (cpu1.all - cpu0.all) / 1000 / Math.max(1, r.requests.total)
      // workerd alone (the worker, the asset router, the simulated bindings); the rest is wrangler's Node process
      const workerdUs = (cpu1.workerd - cpu0.workerd) / 1000 / Math.max(1, r.requests.total)
      const expected = name === 'bare' ? 204 : 202
      const codes = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]))
      results.push({
        round,
        name,
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        ok: codes[expected] ?? 0,
        other: r.requests.total - (codes[expected] ?? 0),
        errors: r.errors + r.timeouts,
        cpuUs,
        workerdUs,
      })
      process.stderr.write(`round ${round} ${name}: ${r.requests.average} req/s, status ${JSON.stringify(codes)}\n`)
    } finally {
      await stack.stop()
    }
  }
}

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
console.log(
  `\nPOST /e, ${connections} connections, ${duration} s per run${opt.rate ? `, at ${opt.rate} req/s` : ''}, 3 events per request, loopback\n`,
)
console.log(
  '| round | worker | req/s | events/s | p50 ms | p99 ms | stack CPU us/req | of which workerd | expected status | other status | errors |',
)
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const r of results) {
  console.log(
    `| ${r.round} | ${r.name} | ${fmt(r.rps)} | ${r.name.startsWith('footfall') ? fmt(r.rps * 3) : '-'} | ${r.p50} | ${r.p99} | ${fmt(r.cpuUs)} | ${fmt(r.workerdUs)} | ${fmt(r.ok)} | ${fmt(r.other)} | ${r.errors} |`,
  )
}
const sum = (name, k) => results.filter((r) => r.name === name).reduce((s, r) => s + r[k], 0)
const has = (...names) => names.every((n) => results.some((r) => r.name === n))
const ratio = (a, b, k) => (has(a, b) ? fmt(sum(a, k) / sum(b, k), 2) : '-')
// CPU a request costs the stack (wrangler + workerd, all threads), summed over rounds: its inverse ratio is the
// throughput ratio of a machine with the stack alone on it, little moved by other jobs.
const cpuRatio = (a, b) => (has(a, b) ? fmt(sum(b, 'cpuUs') / sum(a, 'cpuUs'), 2) : '-')
const cpuDiff = (a, b, k = 'cpuUs') => (has(a, b) ? fmt((sum(a, k) - sum(b, k)) / rounds) : '-')
console.log(`\nthroughput footfall / bare (all rounds): ${ratio('footfall', 'bare', 'rps')} (goal >= 0.75)`)
console.log(
  `throughput footfall-no-assets / bare: ${ratio('footfall-no-assets', 'bare', 'rps')}; platform / bare: ${ratio('platform', 'bare', 'rps')}; footfall-no-assets / platform: ${ratio('footfall-no-assets', 'platform', 'rps')}`,
)
console.log(
  `ceiling platform+assets / bare: ${ratio('platform+assets', 'bare', 'rps')}; footfall / platform+assets: ${ratio('footfall', 'platform+assets', 'rps')}`,
)
console.log(
  `ack-only consumer: footfall-ack / bare: ${ratio('footfall-ack', 'bare', 'rps')}; footfall / footfall-ack: ${ratio('footfall', 'footfall-ack', 'rps')}; footfall-ack / platform+assets: ${ratio('footfall-ack', 'platform+assets', 'rps')}`,
)
console.log(
  `by stack CPU per request (bare CPU / worker CPU): footfall ${cpuRatio('footfall', 'bare')}; platform+assets ${cpuRatio('platform+assets', 'bare')}; footfall-no-assets ${cpuRatio('footfall-no-assets', 'bare')}; platform ${cpuRatio('platform', 'bare')}; footfall-ack ${cpuRatio('footfall-ack', 'bare')}; footfall vs platform+assets ${cpuRatio('footfall', 'platform+assets')}`,
)
console.log(
  `stack CPU us per request, mean difference: footfall - platform+assets ${cpuDiff('footfall', 'platform+assets')} = consumer (footfall - footfall-ack) ${cpuDiff('footfall', 'footfall-ack')} + collector (footfall-ack - platform+assets) ${cpuDiff('footfall-ack', 'platform+assets')}; in workerd: consumer ${cpuDiff('footfall', 'footfall-ack', 'workerdUs')}, collector ${cpuDiff('footfall-ack', 'platform+assets', 'workerdUs')}`,
)
console.log(
  `  the collector's part: footfall-sized messages in the local queue (platform+assets+rows - platform+assets) ${cpuDiff('platform+assets+rows', 'platform+assets')} (workerd ${cpuDiff('platform+assets+rows', 'platform+assets', 'workerdUs')}), footfall's code and the rest (footfall-ack - platform+assets+rows) ${cpuDiff('footfall-ack', 'platform+assets+rows')} (workerd ${cpuDiff('footfall-ack', 'platform+assets+rows', 'workerdUs')})`,
)
console.log(
  `  the consumer's parts (each less footfall-ack): Parquet encoding (footfall-encode) ${cpuDiff('footfall-encode', 'footfall-ack')} (workerd ${cpuDiff('footfall-encode', 'footfall-ack', 'workerdUs')}), one R2 put a batch (footfall-put) ${cpuDiff('footfall-put', 'footfall-ack')} (workerd ${cpuDiff('footfall-put', 'footfall-ack', 'workerdUs')})`,
)
if (opt.base)
  console.log(
    `before/after: footfall-base (${opt.base}) / bare ${ratio('footfall-base', 'bare', 'rps')}; footfall / footfall-base ${ratio('footfall', 'footfall-base', 'rps')}; by stack CPU footfall-base ${cpuRatio('footfall-base', 'bare')}, footfall - footfall-base ${cpuDiff('footfall', 'footfall-base')} us a request`,
  )
console.log(
  `p50 latency footfall / bare: ${ratio('footfall', 'bare', 'p50')}; footfall-no-assets / bare: ${ratio('footfall-no-assets', 'bare', 'p50')}`,
)
