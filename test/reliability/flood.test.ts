/**
 * Scenario 10, flooding, through the real POST /e on `wrangler dev` (loopback): one IP sends twice the rate
 * limit (300 requests a minute per site and IP, wrangler.toml) while ten other IPs send at a normal pace in
 * the same minute. The flood gets exactly its 300 requests through and 429 with Retry-After for the rest,
 * counted in the drop ledger; every other IP is answered 202; everything acknowledged is stored once.
 *
 * Locally the limiter is Miniflare's: in memory, per process, counting in fixed 60 s windows aligned on the
 * epoch (floor(now / 60 s)). A flood that straddled a window's end would start counting afresh, so it starts
 * early in a window, as edge/collect-abuse.test.ts does.
 */
import { parquetReadObjects } from 'hyparquet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readBooks } from './support/stack-lake.ts'
import { CHROME_UA, clientIps, loadEvent } from './support/stack-load.ts'
import { startDevStack, type DevStack } from './support/stack-dev.ts'

const LIMIT = 300
const FLOOD_IP = '198.51.100.66'
const CALM_IPS = clientIps(10)

let stack: DevStack
beforeAll(async () => {
  stack = await startDevStack()
})
afterAll(async () => {
  await stack?.dispose()
})

async function post(prefix: string, n: number, ip: string) {
  const res = await fetch(`${stack.url}/e`, {
    method: 'POST',
    body: JSON.stringify({ site: 'demo', sentAt: Date.now(), events: [loadEvent(prefix, n, 0, Date.now())] }),
    headers: { 'Content-Type': 'text/plain', Origin: 'http://localhost', 'User-Agent': CHROME_UA, 'CF-Connecting-IP': ip },
  })
  return { n, status: res.status, retryAfter: res.headers.get('Retry-After'), body: await res.text() }
}

/** Runs `count` requests, `concurrency` at a time. */
async function pool<T>(count: number, concurrency: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++
        out[i] = await one(i)
      }
    }),
  )
  return out
}

describe('reliability: flooding', () => {
  it('answers 429 with Retry-After to one IP far over the limit, and 202 to the others in the same minute', async () => {
    const left = 60_000 - (Date.now() % 60_000)
    if (left < 30_000) await new Promise((r) => setTimeout(r, left + 100))
    const windowOf = () => Math.floor(Date.now() / 60_000)
    const window = windowOf()
    const [flood, calm] = await Promise.all([
      pool(2 * LIMIT, 12, (i) => post('flood', i, FLOOD_IP)),
      pool(CALM_IPS.length * 20, 2, (i) => post('calm', i, CALM_IPS[i % CALM_IPS.length]!)),
    ])
    expect(windowOf()).toBe(window) // all in one window of the limiter

    const accepted = flood.filter((r) => r.status === 202)
    const limited = flood.filter((r) => r.status === 429)
    expect([accepted.length, limited.length]).toEqual([LIMIT, LIMIT])
    for (const r of limited) {
      expect(r.retryAfter).toBe('60')
      expect(JSON.parse(r.body)).toEqual({ error: 'too many requests from this address, retry later' })
    }
    expect(calm.map((r) => r.status)).toEqual(calm.map(() => 202))

    // What was acknowledged is stored once; what was refused is not stored, and is counted in the ledger.
    const ids = (rs: { n: number }[], prefix: string) => rs.map((r) => loadEvent(prefix, r.n, 0, 0).id)
    const end = Date.now() + 30_000
    let floodBooks = await readBooks(stack, 'flood', ids(accepted, 'flood'))
    let calmBooks = await readBooks(stack, 'calm', ids(calm, 'calm'))
    while ((floodBooks.lost.length || calmBooks.lost.length) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 1000))
      floodBooks = await readBooks(stack, 'flood', ids(accepted, 'flood'))
      calmBooks = await readBooks(stack, 'calm', ids(calm, 'calm'))
    }
    expect([floodBooks.rows, floodBooks.distinct, floodBooks.lost.length]).toEqual([LIMIT, LIMIT, 0])
    expect([calmBooks.rows, calmBooks.distinct, calmBooks.lost.length]).toEqual([calm.length, calm.length, 0])
    const ledger = await rateDrops(end + 20_000)
    console.log(
      `flood: ${FLOOD_IP} sent ${flood.length}: ${accepted.length} accepted, ${limited.length} answered 429; ${CALM_IPS.length} other IPs sent ${calm.length}: ${calm.filter((r) => r.status === 202).length} accepted; ledger: ${ledger} refused for their rate`,
    )
    expect(ledger).toBe(LIMIT)
  }, 150_000)
})

/** Events the drop ledger counts as refused for their rate, read with hyparquet once they reached the lake. */
async function rateDrops(until: number): Promise<number> {
  const auth = { headers: { Authorization: `Bearer ${stack.token}` } }
  for (;;) {
    const res = await fetch(
      `${stack.url}/api/files?site=demo&table=dropped&from=${Date.now() - 86_400_000}&to=${Date.now() + 60_000}`,
      auth,
    )
    let n = 0
    for (const f of ((await res.json()) as { files: { url: string }[] }).files) {
      const rows = await parquetReadObjects({ file: await (await fetch(stack.url + f.url, auth)).arrayBuffer() })
      n += rows.filter((r) => r.reason === 'rate').reduce((s, r) => s + Number(r.events), 0)
    }
    if (n >= LIMIT || Date.now() > until) return n
    await new Promise((r) => setTimeout(r, 1000))
  }
}
