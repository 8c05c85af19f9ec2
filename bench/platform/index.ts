// The second baseline of `npm run bench`: the platform calls Footfall's collector makes, with none of its
// work. Per request: read the body, one rate-limiter call, one sendBatch of one message holding the 3 events
// (edge/enqueue.ts: one message per request and partition); the consumer acknowledges without writing. Footfall / platform isolates our own code
// (parse, validate, enrich, Parquet, R2) from the cost of the local simulation of the bindings.
import { Hono } from 'hono'

interface Env {
  RATE_LIMITER: RateLimit
  EVENTS: Queue<unknown>
}

const app = new Hono<{ Bindings: Env }>()
app.get('/healthz', (c) => c.text('ok'))
app.post('/e', async (c) => {
  const body = await c.req.text()
  const ip = c.req.header('CF-Connecting-IP') ?? ''
  if (!(await c.env.RATE_LIMITER.limit({ key: `demo|${ip}` })).success) return c.body(null, 429)
  await c.env.EVENTS.sendBatch([{ body: { events: [0, 1, 2], size: body.length }, contentType: 'json' }])
  return c.body(null, 202)
})

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<unknown>) {
    batch.ackAll()
  },
}
