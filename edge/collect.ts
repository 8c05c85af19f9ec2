/**
 * POST /e: the collector. Reads the body itself (Hono's json validator skips text/plain, and the tracker
 * sends text/plain so that no CORS preflight is needed), validates the batch and then each event on its
 * own, enriches the valid ones and enqueues them: 202 only after the queue accepted every one of them.
 * Everything refused or dropped is counted in the drop ledger with its reason.
 */
import { Hono, type Context } from 'hono'
import { LIMITS } from '../warehouse/wire.ts'
import type { DropReason } from '../warehouse/schema.ts'
import type { Env } from './env.ts'
import { readBodyText } from './body.ts'
import { enqueue } from './enqueue.ts'
import { eventQueues } from './queues.ts'
import { journalOn } from './journal.ts'
import { enrichAll } from './enrich/index.ts'
import { recordDrops, type Drop } from './ledger.ts'
import { privacyMode } from './privacy.ts'
// UNKNOWN_SITE: the ledger's site of requests refused before their site was known (and their rate-limit key).
import { hostAllowed, sitesOf, UNKNOWN_SITE } from './sites.ts'
import { issuesOf, parseBatch, validateEvents } from './validate.ts'
import { sameSecret } from './auth.ts'
import { mayHoldLoneSurrogate, wellFormed } from '../warehouse/unicode.ts'

export const MAX_BODY_BYTES = LIMITS.bodyBytes
const RATE_RETRY_AFTER_S = 60
export const collect = new Hono<{ Bindings: Env }>()

collect.post('/', async (c) => {
  const received = Date.now()
  let site: string | null = null
  let eventCount = 1 // until the body is read, a refused request counts as one event
  const ip = c.req.header('CF-Connecting-IP') ?? ''
  let limitChecked = false
  /** Whether this request is over the (site, IP) limit; counted once per request. */
  const overLimit = async () => {
    limitChecked = true
    return c.env.RATE_LIMITER ? !(await c.env.RATE_LIMITER.limit({ key: `${site ?? UNKNOWN_SITE}|${ip}` })).success : false
  }
  const rateLimited = () => {
    c.header('Retry-After', String(RATE_RETRY_AFTER_S))
    const error = 'too many requests from this address, retry later'
    recordDrops(c.env, c.executionCtx, [{ site, reason: 'rate', detail: error, events: eventCount }], received)
    return c.json({ error }, 429)
  }
  /**
   * Answers with an error and counts the refused events in the ledger under `detail`: a fixed text per kind
   * of refusal (the answer's `error` may quote the request; the ledger never does, so a flood of distinct
   * origins or bodies is one ledger row per kind and window). A refusal counts toward the rate limit like any
   * request: past it the answer is 429, and a flood of bad requests costs no more than one of good ones.
   */
  const refuse = async (status: 400 | 401 | 403 | 413, reason: DropReason, error: string, detail = error, extra: object = {}) => {
    if (!limitChecked && (await overLimit())) return rateLimited()
    recordDrops(c.env, c.executionCtx, [{ site, reason, detail, events: eventCount }], received)
    return c.json({ error, ...extra }, status)
  }

  const text = await readBodyText(c.req.raw, MAX_BODY_BYTES)
  if (text === null) return refuse(413, 'invalid', `body larger than ${MAX_BODY_BYTES} bytes`)
  if (text === undefined) return refuse(400, 'invalid', 'body is not valid UTF-8')
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (e) {
    return refuse(400, 'invalid', `invalid JSON: ${(e as Error).message}`, 'invalid JSON')
  }
  // An escaped lone surrogate ("\ud83d") is valid JSON but not Unicode: it becomes U+FFFD here, before any
  // check, so every column stores what was accepted and every engine reads it (warehouse/unicode.ts).
  if (mayHoldLoneSurrogate(text)) body = wellFormed(body)
  const events = (body as { events?: unknown })?.events
  // What a request can count for: its items, at most a batch's worth (a 60 KB body of 30,000 junk items is
  // one refused batch, not 30,000 refused events).
  if (Array.isArray(events)) eventCount = Math.min(Math.max(1, events.length), LIMITS.eventsPerBatch)
  const batch = parseBatch(body)
  if (!batch.success) return refuse(400, 'invalid', 'invalid batch', 'invalid batch', { issues: issuesOf(batch.error, -1) })

  const config = sitesOf(c.env).get(batch.data.site)
  if (!config) return refuse(403, 'forbidden', `unknown site "${batch.data.site}"`, 'unknown site')
  site = batch.data.site

  // Server-side events authenticate with the site's API key; browsers send none.
  const auth = c.req.header('Authorization')
  const server = auth !== undefined
  if (server && !(config.key && (await sameSecret(auth.replace(/^Bearer /, ''), config.key)))) {
    return refuse(401, 'forbidden', `wrong API key for site "${site}"`)
  }
  const origin = c.req.header('Origin')
  if (!server && origin && !hostAllowed(origin, config.hosts))
    return refuse(403, 'forbidden', `origin ${origin} may not send for site "${site}"`, 'origin not allowed for the site')

  // A backend with the site's key is not limited (it may replay history in bulk).
  if (!server && !limitChecked && (await overLimit())) return rateLimited()

  const privacy = server ? 'ignore' : privacyMode(c.env, c.req.raw.headers)
  if (privacy === 'drop') {
    recordDrops(c.env, c.executionCtx, [{ site, reason: 'privacy', detail: 'Sec-GPC or DNT', events: eventCount }], received)
    return c.json({ accepted: 0, rejected: [], dropped: batch.data.events.length }, 202)
  }

  const { valid, rejected } = validateEvents(batch.data.events, { site, hosts: config.hosts, sentAt: batch.data.sentAt, server, received })
  recordDrops(c.env, c.executionCtx, invalidDrops(site, rejected), received)
  if (valid.length === 0) return c.json({ error: 'no valid event', accepted: 0, rejected }, 400)

  const rows = await enrichAll(valid, {
    lake: c.env.LAKE,
    site,
    received,
    // Browser clocks drift: shift their times by (receive time - send time). A backend's clock is its own
    // record (and may be replaying history): keep its times as they are.
    skew: server ? 0 : received - batch.data.sentAt,
    cf: c.req.raw.cf as IncomingRequestCfProperties | undefined,
    ip,
    userAgent: c.req.header('User-Agent') ?? '',
    acceptLanguage: c.req.header('Accept-Language'),
    server,
    anonymize: privacy === 'anonymize',
    strip: stripParams(c),
  })

  try {
    await enqueue(eventQueues(c.env), rows, journalOn(c.env) ? c.env.LAKE : undefined)
  } catch (e) {
    console.error('queue refused events', (e as Error).message)
    c.header('Retry-After', '5')
    return c.json({ error: 'queue unavailable, retry later' }, 503)
  }
  return c.json({ accepted: rows.length, rejected }, 202)
})

/** One ledger entry per (field, reason), counting each rejected event once (under its first issue). */
function invalidDrops(site: string, rejected: { index: number; field: string; reason: string }[]): Drop[] {
  const seen = new Set<number>()
  return rejected.flatMap((r) => {
    if (seen.has(r.index)) return []
    seen.add(r.index)
    // The top-level field only: a path such as props.<key> would let the sender name ledger rows.
    return [{ site, reason: 'invalid' as const, field: r.field.split('.')[0], detail: r.reason, events: 1 }]
  })
}

function stripParams(c: Context<{ Bindings: Env }>): string[] | undefined {
  return c.env.STRIP_PARAMS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}
