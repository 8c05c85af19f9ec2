// `node bench/cpu.mjs`: Footfall's own CPU per collector request, without the platform. The real worker
// (edge/index.ts, bundled by esbuild) answers `POST /e` with the bench's 3-event batch (bench/ingest.mjs)
// against bindings that answer at once (rate limiter, queue, R2 salt), so only our code is measured:
//   workerd  the bundle in Miniflare's workerd, N requests inside one dispatch, its CPU time read from
//            /proc (workerd's own clock stands still while code runs); the number to compare
//   node     the same bundle in Node with zod's JIT off as in workerd
// CPU time, not wall time: on a shared machine, waiting for a core is not our cost. Each figure is the
// difference of two runs (e.g. footfall - bare, or up to step k - up to step k-1), median and minimum of
// --reps repetitions of --n requests, after a warm-up.
//
// --profile samples workerd's V8 (inspector protocol) over --n requests and prints self and inclusive
// time per function instead (CALLERS=<function> adds who calls it; KEEP_BUNDLE=1 keeps the bundle in
// /tmp to read the line numbers; KEEP_NAMES=0 bundles without esbuild's keepNames, which wrangler sets).
//
// --base <git ref> adds that commit's worker (edge/ and warehouse/ as of the ref) to the same run: the
// difference footfall - base is measured in the same process, alternating, so machine load affects both.
// --steps adds the handler's steps one by one (JSON.parse, wireBatch, validateEvents, enrichAll, enqueue).
//
// --consumer measures the queue consumer (edge/consumer.ts) instead: batches of 100 messages made by the real
// collector, Miniflare's R2 on disk, CPU per batch of each step (consume, encode, R2 put; see consumerStep);
// with --base, that commit's consumer and writer in the same process; --cold skips the warm-up and prints each
// repetition (a fresh isolate's first batches); --inspect keeps an inspector session with wrangler dev's
// domains open; --profile profiles it (CONSUMER_STEP=consume+r2 by default).
//
//   node bench/cpu.mjs [--n 2000] [--reps 7] [--only workerd|node] [--base main] [--steps] [--profile]
//   node bench/cpu.mjs --consumer [--n 2000] [--reps 7] [--base main] [--cold] [--inspect] [--profile]
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { execSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const root = join(import.meta.dirname, '..')
const { values: opt } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    reps: { type: 'string', default: '7' },
    only: { type: 'string' },
    profile: { type: 'boolean' },
    base: { type: 'string' },
    steps: { type: 'boolean' },
    consumer: { type: 'boolean' },
    cold: { type: 'boolean' },
    inspect: { type: 'boolean' },
  },
})
const n = Number(opt.n)
const reps = Number(opt.reps)

// The workload, bundled with the worker's code. `run(n)` makes n requests and checks every answer.
const workload = `
import { app } from './edge/index.ts'
import { app as baseApp } from 'BASE/edge/index.ts'
import { wireBatch } from './warehouse/wire.ts'
import { validateEvents } from './edge/validate.ts'
import { enrichAll } from './edge/enrich/index.ts'
import { enqueue } from './edge/enqueue.ts'
import { consume } from './edge/consumer.ts'
import { writeEvents } from './warehouse/parquet.ts'
import { consume as baseConsume } from 'BASE/edge/consumer.ts'
import { writeEvents as baseWriteEvents } from 'BASE/warehouse/parquet.ts'
import * as z from 'zod/mini'
import { Hono } from 'hono'
import { body, ip, UA } from './bench/batch.mjs'

// bench/bare/index.ts: what any worker pays to receive a request and answer it.
const bare = new Hono()
bare.post('/e', async (c) => {
  await c.req.text()
  return c.body(null, 204)
})

// Miniflare's placeholder request.cf (geo present, so the IP database is not read), as under wrangler dev.
const CF = { asn: 395747, colo: 'DFW', city: 'Austin', region: 'Texas', country: 'US', continent: 'NA', timezone: 'America/Chicago' }
const SALT = new Uint8Array(32).fill(7).buffer
const env = {
  SITES: '{"demo":["127.0.0.1","localhost"]}',
  PRIVACY_SIGNALS: 'anonymize',
  RATE_LIMITER: { limit: async () => ({ success: true }) },
  EVENTS: { sendBatch: async () => {}, send: async () => {} },
  LAKE: { get: async (k) => (k.startsWith('salts/') ? { arrayBuffer: async () => SALT.slice(0) } : null), put: async () => null },
}
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} }

function request(text) {
  const req = new Request('http://127.0.0.1/e', {
    method: 'POST',
    body: text,
    // Content-Length as an HTTP client sends it (a Request made from a string has none of its own)
    headers: { 'Content-Type': 'text/plain', 'Content-Length': String(new TextEncoder().encode(text).byteLength), Origin: 'http://localhost', 'User-Agent': UA, 'CF-Connecting-IP': ip() },
    cf: CF,
  })
  if (!req.cf) Object.defineProperty(req, 'cf', { value: CF }) // Node's Request has no cf
  return req
}

/** n whole requests through the worker's fetch handler; throws unless each is a 202 accepting 3 events. */
export async function run(n, worker = 'footfall') {
  const bodies = Array.from({ length: n }, body)
  for (const text of bodies) {
    const res = await (worker === 'bare' ? bare : worker === 'base' ? baseApp : app).fetch(request(text), env, ctx)
    const answer = await res.text()
    if (worker === 'bare' ? res.status !== 204 : res.status !== 202 || !answer.startsWith('{"accepted":3,')) throw new Error(res.status + ' ' + answer)
  }
}

/** zod compiles object parsers with new Function unless told not to; workerd forbids it. */
export const likeWorkerd = () => z.config({ jitless: true })

/** The handler's steps as collect.ts runs them, cumulatively: the cost of step k is stage(k) - stage(k - 1). */
export async function stage(n, upto) {
  const texts = Array.from({ length: n }, body)
  for (const text of texts) {
    if (upto < 1) continue
    const parsed = JSON.parse(text)
    if (upto < 2) continue
    const b = wireBatch.safeParse(parsed).data
    if (upto < 3) continue
    const { valid } = validateEvents(b.events, { site: 'demo', hosts: ['127.0.0.1', 'localhost'], sentAt: b.sentAt, server: false })
    if (valid.length !== 3) throw new Error('invalid bench batch')
    if (upto < 4) continue
    const rows = await enrichAll(valid, {
      lake: env.LAKE, site: 'demo', received: Date.now(), skew: 0, cf: CF, ip: ip(), userAgent: UA,
      server: false, anonymize: false,
    })
    if (upto < 5) continue
    await enqueue(env.EVENTS, rows)
  }
}

// --consumer: the queue consumer (edge/consumer.ts) on batches of 100 messages as the collector sends them
// (one message per request, 3 events), made by the real handler beforehand ('prepare'), cloned as the queue
// delivers them. Steps (each its own dispatch, so its CPU is read alone):
//   consume   consume() with an R2 whose put answers at once: grouping, checks, sorting, Parquet encoding
//   encode    writeEvents() alone on each batch's rows (what the Parquet encoding is of consume)
//   put       the R2 puts alone of each batch's Parquet file, to Miniflare's R2 (as under wrangler dev)
//   consume+r2  consume() with Miniflare's R2
let prepared = []
const noR2 = { put: async () => null, delete: async () => {}, get: env.LAKE.get }
async function prepare(batches) {
  prepared = []
  for (let b = 0; b < batches; b++) {
    const bodies = []
    const capture = { ...env, EVENTS: { sendBatch: async (ms) => void bodies.push(...ms.map((m) => m.body)), send: async () => {} } }
    for (let i = 0; i < 100; i++) {
      const res = await app.fetch(request(body()), capture, ctx)
      if (res.status !== 202) throw new Error('prepare: ' + res.status)
    }
    prepared.push({ bodies, rows: bodies.flatMap((m) => m.events).sort((a, b) => a.event_time - b.event_time) })
  }
  for (const p of prepared) p.parquet = writeEvents(p.rows)
}
function batchOf(bodies) {
  const now = new Date()
  let acked = 0
  return {
    batch: {
      queue: 'footfall-events',
      messages: bodies.map((body, i) => ({ id: 'm' + i, body: structuredClone(body), attempts: 1, timestamp: now, ack() { acked++ }, retry() { throw new Error('retry') } })),
      ackAll() { acked = bodies.length },
      retryAll() { throw new Error('retry') },
    },
    acked: () => acked,
  }
}
async function consumerStep(step, lake) {
  let bytes = 0
  for (const p of prepared) {
    if (step === 'encode') bytes += writeEvents(p.rows).byteLength
    else if (step === 'base-encode') bytes += baseWriteEvents(p.rows).byteLength
    else if (step === 'put') await lake.put('bench/' + crypto.randomUUID() + '.parquet', p.parquet)
    else if (step === 'clone') batchOf(p.bodies)
    else {
      const { batch, acked } = batchOf(p.bodies)
      await (step.startsWith('base-') ? baseConsume : consume)(batch, { ...env, LAKE: step.endsWith('+r2') ? lake : noR2 })
      if (acked() !== 100) throw new Error('consume: not all acked')
    }
  }
  return bytes
}

export default {
  async fetch(req, realEnv) {
    const q = new URL(req.url).searchParams
    if (q.has('prepare')) return (await prepare(Number(q.get('prepare'))), new Response(String(prepared[0].parquet.byteLength)))
    if (q.has('consumer')) return new Response(String(await consumerStep(q.get('consumer'), realEnv.LAKE)))
    const n = Number(q.get('n'))
    await (q.has('stage') ? stage(n, Number(q.get('stage'))) : run(n, q.get('worker') ?? undefined))
    return new Response('ok')
  },
}
`

const dir = await mkdtemp(join(tmpdir(), 'footfall-cpu-'))
const bundle = join(dir, 'workload.mjs')
// The base worker: edge/ and warehouse/ as of --base (else the current ones again), its packages from ours.
let baseDir = root
if (opt.base) {
  baseDir = join(dir, 'base')
  await mkdir(baseDir)
  execSync(`git archive ${opt.base} edge warehouse | tar -x -C ${baseDir}`, { cwd: root })
}
await build({
  stdin: { contents: workload.replaceAll("'BASE/", `'${baseDir}/`), resolveDir: root, loader: 'js', sourcefile: 'workload.mjs' },
  nodePaths: [join(root, 'node_modules')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outfile: bundle,
  keepNames: process.env.KEEP_NAMES !== '0',
  mainFields: ['module', 'main'],
  conditions: ['workerd', 'worker', 'browser'],
  external: ['node:*'],
  logLevel: 'error',
})
await writeFile(join(dir, 'package.json'), '{"type":"module"}')

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const us = (ns) => (ns / 1000 / n).toFixed(1)

/** CPU nanoseconds spent so far by all threads of a process (/proc/<pid>/task/<tid>/schedstat). */
function cpuNs(pid) {
  return readdirSync(`/proc/${pid}/task`).reduce((sum, t) => {
    try {
      return sum + Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0])
    } catch {
      return sum // the thread ended meanwhile
    }
  }, 0)
}
/** Process ids below `pid` (Miniflare's workerd is a child of this process). */
function descendants(pid) {
  const kids = readdirSync(`/proc/${pid}/task`).flatMap((t) =>
    readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  )
  return kids.flatMap((k) => [k, ...descendants(k)])
}

/**
 * CPU time (not wall time: the machine is shared, and waiting for a core is not our cost) of the whole
 * request and of each step, as the difference of two runs; prints the median and the minimum over the
 * repetitions.
 */
async function measure(label, job, cpu, steps) {
  const queries = [
    { name: 'bare worker', q: 'worker=bare', base: 'stage=0' },
    { name: 'footfall', q: 'worker=footfall', base: 'stage=0' },
    { name: 'footfall - bare', q: 'worker=footfall', base: 'worker=bare' },
    ...(opt.base
      ? [
          { name: `${opt.base} - bare`, q: 'worker=base', base: 'worker=bare' },
          { name: `footfall - ${opt.base}`, q: 'worker=footfall', base: 'worker=base' },
        ]
      : []),
    ...(opt.steps ? steps.slice(1).map((name, k) => ({ name, q: `stage=${k + 1}`, base: `stage=${k}` })) : []),
  ]
  const times = Object.fromEntries(queries.map((x) => [x.name, []]))
  await job(`n=${n}`) // warm-up
  for (let r = 0; r < reps; r++) {
    for (const x of queries) {
      const t0 = cpu()
      await job(`n=${n}&${x.base}`)
      const t1 = cpu()
      await job(`n=${n}&${x.q}`)
      times[x.name].push(cpu() - t1 - (t1 - t0))
    }
  }
  console.log(`${label}: CPU us per request, median / min of ${reps} x ${n}`)
  for (const x of queries)
    console.log(`  ${x.name.padEnd(18)} ${us(median(times[x.name])).padStart(7)} ${us(Math.min(...times[x.name])).padStart(7)}`)
}

/** Samples workerd's V8 over n requests; prints self time by function and by source file. */
async function profile() {
  const { default: WebSocket } = await import('ws')
  const { freePort } = await import('../scripts/wrangler-dev.mjs')
  const inspectorPort = await freePort()
  const mf = new Miniflare({
    modules: true,
    modulesRoot: dir,
    scriptPath: bundle,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    inspectorPort,
    ...(opt.consumer ? { r2Buckets: ['LAKE'] } : {}),
  })
  // --consumer: the consumer's step (CONSUMER_STEP, default consume+r2) over n / 100 prepared batches.
  const query = opt.consumer ? `consumer=${process.env.CONSUMER_STEP ?? 'consume+r2'}` : `n=${n}`
  if (opt.consumer) await (await mf.dispatchFetch(`http://bench/?prepare=${Math.max(1, Math.round(n / 100))}`)).text()
  await (await mf.dispatchFetch(`http://bench/?${query}`)).text() // warm-up
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()
  const ws = new WebSocket(targets.find((t) => t.webSocketDebuggerUrl).webSocketDebuggerUrl)
  await new Promise((r) => ws.once('open', r))
  let id = 0
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      const my = ++id
      const on = (data) => {
        const m = JSON.parse(data)
        if (m.id === my) ws.off('message', on), resolve(m.result)
      }
      ws.on('message', on)
      ws.send(JSON.stringify({ id: my, method, params }))
    })
  await call('Profiler.enable')
  await call('Profiler.setSamplingInterval', { interval: 50 })
  await call('Profiler.start')
  await (await mf.dispatchFetch(`http://bench/?${query}`)).text()
  const { profile: p } = await call('Profiler.stop')
  ws.close()
  await mf.dispose()
  const dt = new Map(p.nodes.map((x) => [x.id, 0]))
  p.samples.forEach((s, i) => dt.set(s, dt.get(s) + (p.timeDeltas[i] ?? 0)))
  const byFn = new Map()
  let total = 0
  for (const x of p.nodes) {
    const t = dt.get(x.id)
    if (x.callFrame.functionName === '(idle)' || x.callFrame.functionName === '(program)') continue
    total += t
    const f = x.callFrame
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`
    byFn.set(key, (byFn.get(key) ?? 0) + t)
  }
  // Inclusive time: a node's own samples plus its subtree's, summed per function (outermost call only).
  const nodes = new Map(p.nodes.map((x) => [x.id, x]))
  const keyOf = (x) => `${x.callFrame.functionName || '(anonymous)'} ${x.callFrame.url.split('/').pop()}:${x.callFrame.lineNumber + 1}`
  const incl = new Map()
  const walk = (x, open) => {
    let t = dt.get(x.id)
    const k = keyOf(x)
    const inner = new Set(open).add(k)
    for (const c of x.children ?? []) t += walk(nodes.get(c), inner)
    if (!open.has(k)) incl.set(k, (incl.get(k) ?? 0) + t)
    return t
  }
  walk(p.nodes[0], new Set())
  const top = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 30)
  console.log(`profile: ${(total / n).toFixed(1)} us of samples per request (n ${n}); self time per request by function:`)
  for (const [k, t] of top) console.log(`  ${(t / n).toFixed(1).padStart(7)}  ${k}`)
  if (process.env.CALLERS) {
    const parent = new Map()
    for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x)
    const callers = new Map()
    for (const x of p.nodes) {
      if (!keyOf(x).startsWith(process.env.CALLERS)) continue
      let up = parent.get(x.id)
      const chain = []
      for (let i = 0; up && i < 4; i++, up = parent.get(up.id)) chain.push(keyOf(up))
      callers.set(chain.join(' < '), (callers.get(chain.join(' < ')) ?? 0) + dt.get(x.id))
    }
    for (const [k, t] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 8))
      console.log(`  ${(t / n).toFixed(1).padStart(7)}  ${process.env.CALLERS} < ${k}`)
  }
  console.log('inclusive time per request, our code and the runtime calls it makes:')
  for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${(t / n).toFixed(1).padStart(7)}  ${k}`)
}

/**
 * --consumer: the queue consumer's CPU in workerd per batch of 100 requests' messages (300 events), each step
 * measured as its own dispatch over --n batches (consume+r2 and put less the clone/no-op baselines).
 */
async function consumer() {
  const batches = Math.max(1, Math.round(n / 100))
  const r2Persist = await mkdtemp(join(tmpdir(), 'footfall-cpu-r2-'))
  // --inspect: an inspector session with the domains wrangler dev's inspector proxy enables on the runtime
  // (Runtime, Network: node_modules/wrangler/templates/startDevWorker/InspectorProxyWorker.ts), as under
  // `wrangler dev`, where workerd then reports every subrequest (binding calls included) to it.
  const { freePort } = await import('../scripts/wrangler-dev.mjs')
  const inspectorPort = opt.inspect ? await freePort() : undefined
  const mf = new Miniflare({
    modules: true,
    modulesRoot: dir,
    scriptPath: bundle,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    r2Buckets: ['LAKE'],
    r2Persist,
    inspectorPort,
  })
  let ws
  if (opt.inspect) {
    const { default: WebSocket } = await import('ws')
    await (await mf.dispatchFetch('http://bench/?n=1')).text()
    const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()
    ws = new WebSocket(targets.find((t) => t.webSocketDebuggerUrl).webSocketDebuggerUrl)
    await new Promise((r) => ws.once('open', r))
    let events = 0
    ws.on('message', () => events++)
    ws.send(JSON.stringify({ id: 1, method: 'Runtime.enable' }))
    ws.send(JSON.stringify({ id: 2, method: 'Network.enable' }))
    process.on('exit', () => console.log(`  (inspector: ${events} messages received)`))
  }
  const job = async (query) => {
    const res = await mf.dispatchFetch(`http://bench/?${query}`)
    const text = await res.text()
    if (res.status !== 200) throw new Error(text)
    return text
  }
  const bytes = Number(await job(`prepare=${batches}`))
  const workerd = descendants(process.pid).filter((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'workerd')
  if (workerd.length !== 1) throw new Error(`expected one workerd process, found ${workerd.length}`)
  const steps = ['clone', 'consume', 'encode', 'put', 'consume+r2', ...(opt.base ? ['base-consume', 'base-encode', 'base-consume+r2'] : [])]
  const times = Object.fromEntries(steps.map((s) => [s, []]))
  // --cold: no warm-up, and each repetition's figure printed: how the first batches of a fresh isolate cost,
  // as in a short-lived local stack (wrangler dev), before V8 has optimised the writer.
  if (!opt.cold) for (const s of steps) await job(`consumer=${s}`) // warm-up
  for (let r = 0; r < reps; r++) {
    for (const s of steps) {
      const t0 = cpuNs(workerd[0])
      await job(`consumer=${s}`)
      times[s].push((cpuNs(workerd[0]) - t0) / 1000 / batches)
    }
  }
  ws?.close()
  await mf.dispose()
  await rm(r2Persist, { recursive: true, force: true })
  const f = (x) => x.toFixed(0).padStart(7)
  console.log(
    `consumer in workerd: CPU per queue batch of 100 messages (300 events, one ${bytes} B part), median / min of ${reps} x ${batches} batches; per request = /100`,
  )
  if (opt.cold)
    for (const s of steps) console.log(`  ${s.padEnd(11)} per repetition, us a batch: ${times[s].map((t) => t.toFixed(0)).join(' ')}`)
  if (opt.base) console.log(`  (base-*: ${opt.base}'s edge/ and warehouse/, in the same process, alternating)`)
  for (const s of steps)
    console.log(
      `  ${s.padEnd(11)} batch ${f(median(times[s]))} ${f(Math.min(...times[s]))} us   per request ${(median(times[s]) / 100).toFixed(1).padStart(6)} us   per event ${(median(times[s]) / 300).toFixed(1).padStart(5)} us`,
    )
}

if (opt.consumer && !opt.profile) {
  await consumer()
  if (!process.env.KEEP_BUNDLE) await rm(dir, { recursive: true, force: true })
  process.exit(0)
}

if (opt.profile) {
  await profile()
  if (!process.env.KEEP_BUNDLE) await rm(dir, { recursive: true, force: true })
  process.exit(0)
}

const STEPS = ['make bodies', 'JSON.parse', 'wireBatch', 'validateEvents', 'enrichAll', 'enqueue']
if (opt.only !== 'node') {
  const mf = new Miniflare({
    modules: true,
    modulesRoot: dir,
    scriptPath: bundle,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
  })
  const job = async (query) => {
    const res = await mf.dispatchFetch(`http://bench/?${query}`)
    if (res.status !== 200) throw new Error(await res.text())
    await res.text()
  }
  await job('n=1')
  const workerd = descendants(process.pid).filter((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'workerd')
  if (workerd.length !== 1) throw new Error(`expected one workerd process, found ${workerd.length}`)
  await measure('workerd', job, () => cpuNs(workerd[0]), STEPS)
  await mf.dispose()
}
if (opt.only !== 'workerd') {
  const w = await import(bundle)
  w.likeWorkerd()
  await measure(
    'node (zod without JIT, as in workerd)',
    async (query) => {
      const q = new URLSearchParams(query)
      await (q.has('stage') ? w.stage(Number(q.get('n')), Number(q.get('stage'))) : w.run(Number(q.get('n')), q.get('worker') ?? undefined))
    },
    () => process.cpuUsage().user * 1000 + process.cpuUsage().system * 1000,
    STEPS,
  )
}
if (!process.env.KEEP_BUNDLE) await rm(dir, { recursive: true, force: true })
