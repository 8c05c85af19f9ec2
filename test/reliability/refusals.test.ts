/**
 * Refusals flooding from one IP, through the real POST /e on `wrangler dev` (loopback only): 10,000 requests
 * the collector must refuse, of four kinds, each kind varying what an attacker controls (a new Origin, a new
 * JSON error, a new unknown site id per request, and 60 KB bodies of 30,000 junk items). Refusals count
 * toward the rate limit like any request, so past 300 a minute per key the answer is 429; the drop ledger
 * holds a bounded number of rows (one per site, reason and kind of refusal per flush window, whatever
 * varies), and its counts are exact: each refused request counts its items, at most a batch's 100.
 *
 * Miniflare's limiter counts in fixed 60 s windows aligned on the epoch: the flood starts early in a window.
 */
import { parquetReadObjects } from 'hyparquet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROME_UA } from './support/stack-load.ts'
import { startDevStack, type DevStack } from './support/stack-dev.ts'

const LIMIT = 300
const IP = '198.51.100.77'
const REQUESTS = 10_000
const JUNK = `{"site":"demo","sentAt":${Date.now()},"events":[${Array(30_000).fill('0').join(',')}]}`

let stack: DevStack
beforeAll(async () => {
  stack = await startDevStack()
})
afterAll(async () => {
  await stack?.dispose()
})

type Kind = 'origin' | 'json' | 'junk' | 'site'
const KINDS: Kind[] = ['origin', 'json', 'junk', 'site']
/** What each kind counts for in the ledger: its items (one), or a junk batch's cap. */
const COUNT: Record<Kind, number> = { origin: 1, json: 1, junk: 100, site: 1 }

async function refused(i: number): Promise<{ kind: Kind; status: number; body: string }> {
  const kind = KINDS[i % 4]!
  const event = { id: `refused-${i}-aaaa`, type: 'pageview', ts: Date.now(), url: 'http://localhost/demo/' }
  const body =
    kind === 'json'
      ? `{"site":"demo","junk ${i}` // a new parse error position each time
      : kind === 'junk'
        ? JUNK
        : JSON.stringify({ site: kind === 'site' ? `nosuchsite${i}` : 'demo', sentAt: Date.now(), events: [event] })
  const res = await fetch(`${stack.url}/e`, {
    method: 'POST',
    body,
    headers: {
      'Content-Type': 'text/plain',
      Origin: kind === 'origin' ? `https://evil-${i}.example` : 'http://localhost',
      'User-Agent': CHROME_UA,
      'CF-Connecting-IP': IP,
    },
  })
  return { kind, status: res.status, body: await res.text() }
}

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

async function ledger(): Promise<Record<string, unknown>[]> {
  const auth = { headers: { Authorization: `Bearer ${stack.token}` } }
  const rows: Record<string, unknown>[] = []
  for (const site of ['demo', '_unknown']) {
    const res = await fetch(
      `${stack.url}/api/files?site=${site}&table=dropped&from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`,
      auth,
    )
    for (const f of ((await res.json()) as { files: { url: string }[] }).files) {
      rows.push(...(await parquetReadObjects({ file: await (await fetch(stack.url + f.url, auth)).arrayBuffer() })))
    }
  }
  return rows
}

describe('reliability: a flood of refusals', () => {
  it('rate limits 10,000 refused requests from one IP and counts them exactly in a bounded ledger', async () => {
    const left = 60_000 - (Date.now() % 60_000)
    // 10,000 requests take ~50 s on this machine: start at the very beginning of a window.
    if (left < 58_000) await new Promise((r) => setTimeout(r, left + 100))
    const window = Math.floor(Date.now() / 60_000)
    const t0 = Date.now()
    const answers = await pool(REQUESTS, 16, refused)
    const ms = Date.now() - t0
    expect(Math.floor(Date.now() / 60_000)).toBe(window) // one window of the limiter

    const by = (kind: Kind, limited: boolean) => answers.filter((a) => a.kind === kind && (a.status === 429) === limited)
    // Two limiter keys: (demo, IP) for the refused origins, (_unknown, IP) for refusals before a site is known.
    expect(by('origin', false).length).toBe(LIMIT)
    expect(by('json', false).length + by('junk', false).length + by('site', false).length).toBe(LIMIT)
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([400, 403, 429]))
    for (const a of by('origin', false)) expect(a.status).toBe(403)
    for (const a of by('json', false)) expect(a.status).toBe(400)
    for (const a of by('junk', false)) expect(a.status).toBe(400)
    for (const a of by('site', false)) expect(a.status).toBe(403)
    for (const a of answers.filter((x) => x.status === 429))
      expect(JSON.parse(a.body)).toEqual({ error: 'too many requests from this address, retry later' })

    // The ledger, once every window was flushed (LEDGER_FLUSH_MS, 5 s) and written.
    const sum = (rows: Record<string, unknown>[], f: (r: Record<string, unknown>) => boolean) =>
      rows.filter(f).reduce((n, r) => n + Number(r.events), 0)
    const expected = {
      forbidden: by('origin', false).length + by('site', false).length,
      invalid: by('json', false).length + 100 * by('junk', false).length,
      rate: KINDS.reduce((n, k) => n + COUNT[k] * by(k, true).length, 0),
    }
    let rows: Record<string, unknown>[] = []
    for (let i = 0; i < 60; i++) {
      rows = await ledger()
      if (sum(rows, () => true) >= expected.forbidden + expected.invalid + expected.rate) break
      await new Promise((r) => setTimeout(r, 1000))
    }
    expect({
      forbidden: sum(rows, (r) => r.reason === 'forbidden'),
      invalid: sum(rows, (r) => r.reason === 'invalid'),
      rate: sum(rows, (r) => r.reason === 'rate'),
    }).toEqual(expected)
    // Bounded: at most one row per (site, reason, detail) kind and 5 s window, whatever the requests varied.
    const details = new Set(rows.map((r) => `${r.site} ${r.reason} ${r.detail}`))
    expect([...details].sort()).toEqual(
      [
        '_unknown invalid invalid JSON',
        '_unknown invalid invalid batch',
        '_unknown forbidden unknown site',
        '_unknown rate too many requests from this address, retry later',
        'demo forbidden origin not allowed for the site',
        'demo rate too many requests from this address, retry later',
      ].sort(),
    )
    const windows = Math.ceil(ms / 5000) + 1
    expect(rows.length).toBeLessThanOrEqual(details.size * windows)
    console.log(
      `refusals: ${REQUESTS} requests from one IP in ${ms} ms: ${answers.filter((a) => a.status !== 429).length} answered 400/403, ${answers.filter((a) => a.status === 429).length} answered 429; ledger: ${rows.length} rows (${details.size} kinds, ${windows} windows at most), counts ${JSON.stringify(expected)}`,
    )
  }, 240_000)
})
