// The baseline of `npm run bench`: a bare Hono worker that answers POST /e with 204 and does nothing else.
// Footfall's collector is measured against it on the same machine in the same run (bench/ingest.mjs).
import { Hono } from 'hono'

const app = new Hono()
app.get('/healthz', (c) => c.text('ok'))
app.post('/e', async (c) => {
  await c.req.text() // read the body, as any collector must
  return c.body(null, 204)
})

export default app
