/**
 * POST /e: the collector. Reads the body itself (Hono's json validator skips text/plain, and the tracker
 * sends text/plain so that no CORS preflight is needed), validates each event on its own, enriches the
 * valid ones and enqueues them. 202 only after the queue accepted every accepted event.
 */
import { Hono } from 'hono'
import * as z from 'zod/mini'
import en from 'zod/v4/locales/en.js'
import type { EventRow } from '../warehouse/schema.ts'
import { wireBatch, wireEvent, type WireEvent } from '../warehouse/wire.ts'
import type { Env } from './env.ts'
import { geoFrom } from './enrich/geo.ts'
import { sourceOf } from './enrich/source.ts'
import { agentFrom } from './enrich/ua.ts'
import { visitorId } from './enrich/visitor.ts'
import { enqueue } from './enqueue.ts'
import { readBodyText } from './body.ts'

// zod/mini ships no messages by default: load the English ones (only those: all locales weigh ~400 KB)
// so every rejection says what is wrong.
z.config(en())

export const MAX_BODY_BYTES = 64 * 1024

export interface Rejection {
  index: number
  field: string
  reason: string
}

export const collect = new Hono<{ Bindings: Env }>()

collect.post('/', async (c) => {
  const received = Date.now()
  const text = await readBodyText(c.req.raw, MAX_BODY_BYTES)
  if (text === null) return c.json({ error: `body larger than ${MAX_BODY_BYTES} bytes` }, 413)

  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (e) {
    return c.json({ error: `invalid JSON: ${(e as Error).message}` }, 400)
  }
  const batch = wireBatch.safeParse(body)
  if (!batch.success) return c.json({ error: 'invalid batch', issues: issuesOf(batch.error, -1) }, 400)

  const { site, sentAt, events } = batch.data
  const allowed = sitesOf(c.env)[site]
  if (!allowed) return c.json({ error: `unknown site "${site}"` }, 403)
  const origin = c.req.header('Origin')
  if (origin && !hostAllowed(origin, allowed)) return c.json({ error: `origin ${origin} may not send for site "${site}"` }, 403)

  const valid: { index: number; event: WireEvent }[] = []
  const rejected: Rejection[] = []
  events.forEach((raw, index) => {
    const r = wireEvent.safeParse(raw)
    if (!r.success) return rejected.push(...issuesOf(r.error, index))
    if (r.data.type === 'event' && !r.data.name) return rejected.push({ index, field: 'name', reason: 'required for type "event"' })
    if (r.data.type === 'identify' && !r.data.userId) return rejected.push({ index, field: 'userId', reason: 'required for type "identify"' })
    if (!hostAllowed(r.data.url, allowed)) return rejected.push({ index, field: 'url', reason: `host not allowed for site "${site}"` })
    valid.push({ index, event: r.data })
  })
  if (valid.length === 0) return c.json({ error: 'no valid event', accepted: 0, rejected }, 400)

  const ua = c.req.header('User-Agent') ?? ''
  const ip = c.req.header('CF-Connecting-IP') ?? ''
  const day = new Date(received).toISOString().slice(0, 10)
  const shared = {
    site,
    received_time: received,
    visitor_id: await visitorId(c.env.LAKE, day, site, ip, ua),
    ...geoFrom(c.req.raw.cf as IncomingRequestCfProperties | undefined),
    ...agentFrom(ua),
  }
  // The client's clock may be off: shift its times by (server receive time - client send time).
  const skew = received - sentAt
  const rows = valid.map(({ event }) => toRow(event, shared, skew))

  try {
    await enqueue(c.env.EVENTS, rows)
  } catch (e) {
    console.error('queue refused events', (e as Error).message)
    c.header('Retry-After', '5')
    return c.json({ error: 'queue unavailable, retry later' }, 503)
  }
  return c.json({ accepted: rows.length, rejected }, 202)
})

type Shared = Pick<EventRow, 'site' | 'received_time' | 'visitor_id'> & Partial<EventRow>

function toRow(e: WireEvent, shared: Shared, skew: number): EventRow {
  const props = e.props ?? null
  const str = (k: string) => (typeof props?.[k] === 'string' ? (props[k] as string) : null)
  const revenue = typeof props?.revenue === 'number' ? props.revenue : null
  return {
    event_id: e.id,
    type: e.type,
    name: e.name ?? null,
    event_time: Math.min(e.ts + skew, shared.received_time),
    client_time: e.ts,
    user_id: e.userId ?? null,
    url: e.url,
    title: e.title ?? null,
    ...sourceOf(e.url, e.referrer),
    props,
    product_id: str('product_id'),
    category: str('category'),
    revenue,
    currency: str('currency'),
    element_tag: e.element?.tag ?? null,
    element_text: e.element?.text ?? null,
    element_href: e.element?.href ?? null,
    engaged_ms: e.engagedMs ?? null,
    scroll_depth: e.scrollDepth ?? null,
    screen: e.screen ?? null,
    language: e.language ?? null,
    country: null, region: null, city: null, continent: null, timezone: null, asn: null, colo: null,
    browser: null, browser_version: null, os: null, os_version: null, device_type: null,
    is_bot: false,
    bot_reason: null,
    ...shared,
  }
}

function issuesOf(error: z.core.$ZodError, index: number): Rejection[] {
  return error.issues.map((i) => ({ index, field: i.path.join('.') || '(root)', reason: i.message }))
}

let sitesCache: { raw: string; sites: Record<string, string[]> } | undefined
function sitesOf(env: Env): Record<string, string[]> {
  if (sitesCache?.raw !== env.SITES) sitesCache = { raw: env.SITES, sites: JSON.parse(env.SITES || '{}') }
  return sitesCache.sites
}

function hostAllowed(url: string, hosts: string[]): boolean {
  try {
    const host = new URL(url).hostname
    return hosts.some((h) => host === h || host.endsWith(`.${h}`))
  } catch {
    return false
  }
}
