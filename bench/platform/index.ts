// The second baseline of `npm run bench`: the platform calls Footfall's collector makes, with none of its
// work. Per request: read the body, one rate-limiter call, one sendBatch of one message holding the 3 events
// (edge/enqueue.ts: one message per request and partition); the consumer acknowledges without writing. Footfall / platform isolates our own code
// (parse, validate, enrich, Parquet, R2) from the cost of the local simulation of the bindings.
import { Hono } from 'hono'

interface Env {
  RATE_LIMITER: RateLimit
  EVENTS: Queue<unknown>
  /** `rows`: the message holds 3 rows the size and shape of footfall's (bench worker `platform+assets+rows`). */
  MESSAGE?: string
}

// One of footfall's enriched rows as the collector enqueues it for the bench's request (51 columns, 24 null):
// a message of three of them is ~3.1 KB of JSON, as footfall's, to price the local queue's per-byte cost.
const ROW = {
  event_id: '',
  site: 'demo',
  type: 'pageview',
  event_time: 0,
  client_time: 0,
  received_time: 0,
  url: 'http://localhost/products/tea-0',
  host: 'localhost',
  path: '/products/tea-0',
  referrer: 'https://www.google.com/',
  referrer_host: 'www.google.com',
  channel: 'search',
  click_id: null,
  utm_source: null,
  utm_medium: null,
  utm_campaign: null,
  utm_term: null,
  utm_content: null,
  name: null,
  user_id: null,
  title: 'Green tea',
  props: null,
  product_id: null,
  category: null,
  revenue: null,
  currency: null,
  element_tag: null,
  element_text: null,
  element_href: null,
  engaged_ms: null,
  scroll_depth: null,
  screen: null,
  language: null,
  visitor_id: '36fe8a64cc9533dea3bc1c518c873967',
  visitor_id_prev: null,
  country: 'US',
  region: 'Texas',
  city: 'Austin',
  continent: 'NA',
  timezone: 'America/Chicago',
  asn: 395747,
  colo: 'DFW',
  browser: 'Chrome',
  browser_version: '131.0.0.0',
  os: 'Windows',
  os_version: '10',
  device_type: 'desktop',
  device_vendor: null,
  device_model: null,
  is_bot: false,
  bot_reason: null,
}
const rows = () => {
  const now = Date.now()
  return [0, 1, 2].map((i) => ({ ...ROW, event_id: crypto.randomUUID(), event_time: now + i, client_time: now + i, received_time: now }))
}

const app = new Hono<{ Bindings: Env }>()
app.get('/healthz', (c) => c.text('ok'))
app.post('/e', async (c) => {
  const body = await c.req.text()
  const ip = c.req.header('CF-Connecting-IP') ?? ''
  if (!(await c.env.RATE_LIMITER.limit({ key: `demo|${ip}` })).success) return c.body(null, 429)
  await c.env.EVENTS.sendBatch([
    { body: c.env.MESSAGE === 'rows' ? { events: rows() } : { events: [0, 1, 2], size: body.length }, contentType: 'json' },
  ])
  return c.body(null, 202)
})

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<unknown>) {
    batch.ackAll()
  },
}
