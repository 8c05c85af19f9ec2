// `npm start`: builds the assets and runs the local stack (wrangler dev: workerd + Miniflare's local
// Queues and R2) on 127.0.0.1:8787, fully offline, with its state under .wrangler/state. Ctrl-C stops it.
//
// Demo data (unless --no-demo): on an empty lake, 15 days of the demo shop's traffic are backfilled first
// (examples/generator, about 22,000 events, a few seconds), and a few simulated visitors keep browsing
// through POST /e while it runs.
//
// Scheduled work (compaction, aggregates, salts, retention) runs on the schedule of wrangler.toml's cron
// triggers, as in a deploy: wrangler dev cannot fire the scheduled handler of a worker with static assets,
// so this script fires the same jobs through the local-only POST /api/scheduled (edge/local-cron.ts).
//
//   npm start [-- --no-demo] [-- --persist-to DIR] [-- --cron '* * * * *' (instead of wrangler.toml's crons)]
import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { cronsOf, nextFire } from './cron.mjs'
import { LOCAL_VARS } from './wrangler-dev.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { values: args } = parseArgs({
  options: { 'no-demo': { type: 'boolean' }, 'persist-to': { type: 'string' }, cron: { type: 'string', multiple: true } },
})
const state = resolve(args['persist-to'] ?? join(root, '.wrangler/state'))
const demo = !args['no-demo']
const DEMO_DAYS = 15
const DEMO_EVENTS_PER_DAY = 1500
const port = Number(process.env.PORT ?? 8787)
const token = process.env.DASHBOARD_TOKEN ?? 'footfall-dev'
const base = `http://127.0.0.1:${port}`
const crons = args.cron ?? (await cronsOf(join(root, 'wrangler.toml')))
for (const c of crons) nextFire(c, Date.now()) // an unreadable schedule fails here, not at its first minute

if (
  await fetch(`${base}/healthz`).then(
    () => true,
    () => false,
  )
) {
  console.error(`${base} is already in use: stop the other server or set PORT.`)
  process.exit(1)
}

const { uploadGeoDb } = await import('./geo-db.mjs')
const generator = demo ? await import('../examples/generator/cli.mjs').then((m) => m.loadGenerator()) : null
await Promise.all([import('./build.mjs'), uploadGeoDb({ persistTo: state })])

// Offline there is no real request.cf: Miniflare's placeholder would place every visitor in Austin, Texas.
// A cf object without geo makes the worker fall back to the IP-to-country database, as it does off
// Cloudflare, so simulated visitors keep their countries. CLOUDFLARE_CF_FETCH_PATH still wins.
let cfPath = process.env.CLOUDFLARE_CF_FETCH_PATH
if (!cfPath) {
  cfPath = join(state, 'cf.json')
  await mkdir(state, { recursive: true })
  await writeFile(cfPath, JSON.stringify({ colo: 'LOCAL', httpProtocol: 'HTTP/1.1', clientTcpRtt: 0 }))
}

let demoNote = ''
if (generator) {
  // Written before wrangler dev starts: Miniflare's R2 state is not shared between two live processes.
  const sink = await generator.r2Sink(state)
  try {
    if (await sink.has('events/site=demo/')) demoNote = 'kept the existing lake'
    else {
      const r = await generator.backfill({
        sink,
        days: DEMO_DAYS,
        eventsPerDay: DEMO_EVENTS_PER_DAY,
        seed: 'demo',
        base: `http://localhost:${port}/demo/`,
        // The days' slices come with the local cron's first run, as after a deploy: the stack starts sooner.
        slices: false,
      })
      demoNote = `${r.events} events over ${DEMO_DAYS} days backfilled`
    }
  } finally {
    await sink.close()
  }
}

const wrangler = spawn(
  join(root, 'node_modules/.bin/wrangler'),
  [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--persist-to',
    state,
    '--var',
    `DASHBOARD_TOKEN:${token}`,
    '--var',
    `SITE_KEYS:${JSON.stringify({ demo: 'demo-server-key' })}`,
    ...Object.entries(LOCAL_VARS).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
  ],
  {
    cwd: root,
    // Offline: no metrics, and no attempt to fetch the real request.cf (the cf.json above is used instead).
    env: { ...process.env, CLOUDFLARE_CF_FETCH_PATH: cfPath, WRANGLER_SEND_METRICS: 'false' },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  },
)

let stopping = false
const traffic = new AbortController()
const timers = new Set()
const stop = (code = 0) => {
  if (stopping) return
  stopping = true
  traffic.abort()
  for (const t of timers) clearTimeout(t)
  try {
    process.kill(-wrangler.pid, 'SIGTERM') // wrangler and the workerd it started
  } catch {}
  setTimeout(() => process.exit(code), 3000).unref()
  wrangler.once('exit', () => process.exit(code))
}
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))
wrangler.once('exit', (code) => {
  if (!stopping) {
    console.error(`wrangler dev exited (${code})`)
    process.exit(code ?? 1)
  }
})

const deadline = Date.now() + 60_000
while (
  !(await fetch(`${base}/healthz`).then(
    (r) => r.ok,
    () => false,
  ))
) {
  if (Date.now() > deadline) {
    console.error('the local stack did not answer /healthz within 60 s')
    stop(1)
    break
  }
  await new Promise((r) => setTimeout(r, 250))
}
if (!stopping && generator) {
  // A light, steady stream of simulated visitors through the real collector.
  generator
    .live({ url: base, visitors: Infinity, concurrency: 2, speed: 10, seed: `live-${Date.now()}`, signal: traffic.signal, quiet: true })
    .catch((e) => console.error(`demo traffic stopped: ${e.message}`))
}
/** Fires the worker's scheduled jobs at each minute `expr` matches, with that minute as the scheduled time. */
function schedule(expr, at = nextFire(expr, Date.now())) {
  // setTimeout waits at most 2^31 - 1 ms (24.8 days): a later minute is waited for in steps.
  const timer = setTimeout(
    async () => {
      timers.delete(timer)
      if (stopping) return
      if (Date.now() < at) return schedule(expr, at)
      await runScheduled(at)
      schedule(expr)
    },
    Math.min(at - Date.now(), 2 ** 31 - 1),
  )
  timers.add(timer)
}
async function runScheduled(time) {
  try {
    const res = await fetch(`${base}/api/scheduled?time=${time}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })
    const body = await res.json()
    const failed = Object.entries(body.jobs ?? {}).filter(([, r]) => r !== 'ok')
    if (!res.ok || failed.length)
      console.error(`scheduled work at ${new Date(time).toISOString()}: ${res.status} ${JSON.stringify(body.jobs ?? body)}`)
  } catch (e) {
    if (!stopping) console.error(`scheduled work at ${new Date(time).toISOString()} did not run: ${e.message}`)
  }
}
if (!stopping) for (const c of crons) schedule(c)

if (!stopping) {
  console.log(`
Footfall is running (offline, state in ${state}).

  Demo shop   ${base}/demo/
  Dashboard   ${base}/dashboard/#token=${token}
  Token       ${token}
  Collector   POST ${base}/e
  Demo data   ${generator ? `${demoNote}; 2 simulated visitors browsing (npm start -- --no-demo: none)` : 'off (--no-demo)'}
  Cron        ${crons.length ? `${crons.join(', ')} (UTC): compaction, aggregates, salts, retention` : 'none (no [triggers] crons)'}

Ctrl-C stops it.`)
}
