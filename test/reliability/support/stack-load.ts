/**
 * A loopback load generator for POST /e that keeps the books: concurrent senders (one keep-alive connection
 * each), each request a batch of events with fresh ids from one of a pool of client IPs (CF-Connecting-IP),
 * retried as the tracker does (sdk/src/core.ts): on a network error, a 5xx or a 429, after Retry-After or a
 * backoff, with a fresh `sentAt` and the same event ids. An event counts as acknowledged only when a 202
 * naming it as accepted was read.
 */
export interface LoadOptions {
  url: string
  /** Events to send in all. */
  events: number
  /** Events per request (the wire format allows 100). */
  perRequest?: number
  /** Concurrent senders. */
  senders?: number
  /** Client IPs, used in turn per request. */
  ips: string[]
  /** Prefix of the event ids (letters, digits, - and _). */
  idPrefix: string
  /** Gives up (throws) after this long. */
  deadlineMs?: number
  /** Sees every answer (status, headers, body text), e.g. to look for IPs in it. */
  onAnswer?: (status: number, headers: Headers, body: string) => void
  /** Called after each acknowledged request, with the running count of acknowledged events. */
  onAck?: (acked: number) => void
}

export interface LoadResult {
  /** Acknowledged event ids, with the time their 202 was read. */
  acked: Map<string, number>
  requests: number
  /** Answers other than 202 (status -> count), and network errors under "network". */
  retried: Record<string, number>
  elapsedMs: number
  eventsPerSecond: number
}

export const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

/** The wire event `i` of request `batch` (a pageview, or a custom event with props). */
export function loadEvent(idPrefix: string, batch: number, i: number, ts: number) {
  const id = `${idPrefix}-${String(batch).padStart(6, '0')}-${String(i).padStart(3, '0')}`
  const url = `http://localhost/shop/item-${(batch * 7 + i) % 50}`
  return i % 3 === 2
    ? { id, type: 'event', name: 'add_to_cart', ts, url, props: { product_id: `p-${i}`, category: 'tea', revenue: 12.5, currency: 'EUR' } }
    : { id, type: 'pageview', ts, url, title: 'Reliability shop', referrer: 'https://www.example.org/' }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const perRequest = o.perRequest ?? 50
  const senders = o.senders ?? 8
  const batches = Math.ceil(o.events / perRequest)
  const deadline = Date.now() + (o.deadlineMs ?? 600_000)
  const acked = new Map<string, number>()
  const retried: Record<string, number> = {}
  let next = 0
  let requests = 0
  const started = performance.now()

  async function send(batch: number) {
    const count = Math.min(perRequest, o.events - batch * perRequest)
    const ts = Date.now()
    const events = Array.from({ length: count }, (_, i) => loadEvent(o.idPrefix, batch, i, ts - (count - i)))
    const ip = o.ips[batch % o.ips.length]!
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline)
        throw new Error(`load: request ${batch} still not acknowledged at the deadline (${JSON.stringify(retried)})`)
      requests++
      let wait: number
      try {
        const res = await fetch(`${o.url}/e`, {
          method: 'POST',
          body: JSON.stringify({ site: 'demo', sentAt: Date.now(), events }),
          headers: { 'Content-Type': 'text/plain', Origin: 'http://localhost', 'User-Agent': CHROME_UA, 'CF-Connecting-IP': ip },
          signal: AbortSignal.timeout(30_000),
        })
        const text = await res.text()
        o.onAnswer?.(res.status, res.headers, text)
        if (res.status === 202) {
          const body = JSON.parse(text) as { accepted: number; rejected: unknown[] }
          if (body.accepted !== count || body.rejected.length) throw new Error(`load: request ${batch} answered ${text}`)
          const now = Date.now()
          for (const e of events) acked.set(e.id, now)
          o.onAck?.(acked.size)
          return
        }
        retried[res.status] = (retried[res.status] ?? 0) + 1
        if (res.status !== 429 && res.status < 500) throw new Error(`load: request ${batch} answered ${res.status} ${text}`)
        wait = Number(res.headers.get('Retry-After')) * 1000 || 1000 * 2 ** Math.min(attempt, 5)
      } catch (e) {
        if ((e as Error).message.startsWith('load:')) throw e
        retried.network = (retried.network ?? 0) + 1
        wait = Math.min(250 * 2 ** attempt, 4000)
      }
      await sleep(wait)
    }
  }

  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < batches) await send(next++)
    }),
  )
  const elapsedMs = performance.now() - started
  return { acked, requests, retried, elapsedMs, eventsPerSecond: acked.size / (elapsedMs / 1000) }
}

/** `n` IPv4 client addresses from TEST-NET-2/3 (RFC 5737) and `v6` IPv6 ones from 2001:db8::/32 (RFC 3849). */
export function clientIps(n: number, v6 = 0): string[] {
  const v4 = Array.from({ length: n }, (_, i) => `${i % 2 ? '198.51.100' : '203.0.113'}.${10 + Math.floor(i / 2)}`)
  return [...v4, ...Array.from({ length: v6 }, (_, i) => `2001:db8:${(0xa0 + i).toString(16)}::${(i + 1).toString(16)}`)]
}
