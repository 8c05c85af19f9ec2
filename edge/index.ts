/**
 * The Footfall worker. One origin serves everything (ARCHITECTURE.md, "One event, click to chart"):
 *   GET /f.js, /dashboard/, /demo/   static assets (dist/public, built by `npm run build`)
 *   POST /e                          the collector            -> collect.ts
 *   GET /api/files, GET|HEAD /data/* the lake, for the dashboard -> lake-api.ts (shared links: access.ts)
 *   /api/sites[/:site/links]         sites and their shared links -> sites-api.ts
 *   GET /healthz                     liveness
 *   queue()                          Parquet writer           -> consumer.ts
 *   scheduled()                      cron jobs                -> scheduled.ts
 *   POST /api/scheduled              the same jobs, local stack only -> local-cron.ts
 */
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { Env, LakeMessage } from './env.ts'
import { collect } from './collect.ts'
import { consume } from './consumer.ts'
import { lakeApi } from './lake-api.ts'
import { localCron } from './local-cron.ts'
import { sitesApi } from './sites-api.ts'
import { serveWasm } from './wasm.ts'
import { runJobs } from './scheduled.ts'
import { withFetchFaults, withQueueFaults } from './faults.ts'
import { replayOnStart } from './journal.ts'

export const app = new Hono<{ Bindings: Env }>()

// Any site may post events (the site id and origin checks decide); no cookies, so no credentials.
// The tracker reads Retry-After on 429/503 to back off. Preflights go through Hono's cors(); a POST gets
// the same two headers after the handler, because cors() sets them on a placeholder response first, which
// makes Hono copy the handler's response into it: ~30 us of a ~150 us request (bench/cpu.mjs).
const preflight = cors({ origin: '*', allowMethods: ['POST'], exposeHeaders: ['Retry-After'], maxAge: 86400 })
app.use('/e', async (c, next) => {
  if (c.req.method === 'OPTIONS') return preflight(c, next)
  await next()
  c.res.headers.set('Access-Control-Allow-Origin', '*')
  c.res.headers.set('Access-Control-Expose-Headers', 'Retry-After')
})
app.route('/e', collect)
app.get('/healthz', (c) => c.json({ ok: true }))
app.get('/dashboard/duckdb/:file{.+\\.wasm}', (c) => serveWasm(c.env.ASSETS, c.req.raw))
app.route('/', lakeApi)
// After lakeApi: its /api/* middleware authenticates these and keeps shared links out (access.ts).
app.route('/', sitesApi)
app.route('/', localCron)
app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404))
app.onError((err, c) => {
  console.error('unhandled', err.message)
  return c.json({ error: 'internal error' }, 500)
})

const worker: ExportedHandler<Env, LakeMessage> = {
  // withFetchFaults / withQueueFaults return their inputs untouched unless the FAULTS var is set (tests only).
  fetch: (req, env, ctx) => {
    replayOnStart(env, ctx) // the queue journal's leftovers of an earlier process, if it is on
    return app.fetch(req, withFetchFaults(env), ctx)
  },
  queue: (batch, env) => consume(...withQueueFaults(batch, env)),
  scheduled: async (controller, env) => void (await runJobs(env, controller.scheduledTime)),
}
export default worker
