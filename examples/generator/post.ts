/** Sends one batch to `POST /e` as a browser (or, with the site's API key, a backend) would. */
import type { WireEvent } from '../../warehouse/wire.ts'

export interface Sender {
  /** The stack's origin, e.g. http://127.0.0.1:8787. */
  url: string
  site: string
  /** The page's origin, sent as Origin (must be one of the site's hosts). */
  origin: string
  /** The site's API key: sends as a server-side event (no Origin; ip and ua travel in the events). */
  key?: string
}

export interface Outcome {
  status: number
  accepted: number
  rejected: { index: number; field: string; reason: string }[]
  error?: string
}

export async function postBatch(
  s: Sender,
  events: WireEvent[],
  client: { ip?: string; userAgent?: string },
  sentAt = Date.now(),
): Promise<Outcome> {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain;charset=UTF-8' }
  if (s.key) headers.Authorization = `Bearer ${s.key}`
  else headers.Origin = s.origin
  // wrangler dev passes CF-Connecting-IP through: the edge sees the simulated visitor's address.
  if (client.ip) headers['CF-Connecting-IP'] = client.ip
  if (client.userAgent) headers['User-Agent'] = client.userAgent
  try {
    const res = await fetch(`${s.url}/e`, { method: 'POST', headers, body: JSON.stringify({ site: s.site, sentAt, events }) })
    const body = (await res.json().catch(() => ({}))) as { accepted?: number; rejected?: Outcome['rejected']; error?: string }
    return { status: res.status, accepted: body.accepted ?? 0, rejected: body.rejected ?? [], error: body.error }
  } catch (e) {
    return { status: 0, accepted: 0, rejected: [], error: (e as Error).message }
  }
}

/** Running totals of a live or replay run. */
export class Tally {
  requests = 0
  sent = 0
  accepted = 0
  rejected = 0
  /** Requests not answered 202 (refused batch, rate limit, network). */
  failed = 0
  readonly problems: string[] = []

  add(events: number, o: Outcome): void {
    this.requests++
    this.sent += events
    this.accepted += o.accepted
    this.rejected += o.status === 202 ? o.rejected.length : events
    if (o.status !== 202) this.failed++
    const problem = o.status !== 202 ? `${o.status} ${o.error ?? ''}` : o.rejected.map((r) => `${r.field}: ${r.reason}`).join('; ')
    if (problem && this.problems.length < 10) this.problems.push(problem)
  }
}
