/**
 * `POST /api/scheduled[?time=<epoch ms>]`: runs the cron's jobs (scheduled.ts) now, for the local stack only.
 *
 * `wrangler dev` cannot fire the scheduled handler of a worker with `[assets]`: it sends
 * `/cdn-cgi/handler/scheduled` to the static-asset router, which has none (500). So `npm start`
 * (scripts/start.mjs) fires the same jobs on the same schedule (wrangler.toml `[triggers] crons`) through
 * this route. It exists only where `LOCAL_SCHEDULED` is `on` (scripts/wrangler-dev.mjs `LOCAL_VARS`, never in
 * a deploy: there the route is 404). Mounted after lake-api.ts, whose `/api/*` middleware asks for the
 * dashboard token first.
 */
import { Hono } from 'hono'
import type { Env } from './env.ts'
import { runJobs } from './scheduled.ts'

export const localCron = new Hono<{ Bindings: Env }>()

localCron.post('/api/scheduled', async (c) => {
  if (c.env.LOCAL_SCHEDULED !== 'on') return c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404)
  const given = c.req.query('time')
  const time = given === undefined ? Date.now() : Number(given)
  if (!/^\d{1,15}$/.test(given ?? '0') || !Number.isSafeInteger(time)) return c.json({ error: 'time must be epoch milliseconds' }, 400)
  return c.json({ time: new Date(time).toISOString(), jobs: await runJobs(c.env, time) })
})
