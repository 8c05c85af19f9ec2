/** Rate limiting, privacy signals and a refusing queue: answered precisely, and never a silent loss. */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { beforeEach, describe, expect, it } from 'vitest'
import worker from './index.ts'
import type { Env } from './env.ts'
import {
  batchOf,
  CHROME_UA,
  clearLake,
  lakeRows,
  ORIGIN,
  postEvents,
  testEnv,
  waitForEvents,
  waitForLake,
  wireEventAt,
} from './test-helpers.ts'

/** Calls the worker's fetch with the real bindings, some settings or bindings replaced. */
async function postWith(env: Partial<Env>, body: unknown, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext()
  const req = new Request('http://localhost/e', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { Origin: ORIGIN, 'User-Agent': CHROME_UA, 'CF-Connecting-IP': '198.51.100.20', ...headers },
  })
  const res = await worker.fetch!(req as Request<unknown, IncomingRequestCfProperties>, { ...testEnv, ...env }, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

describe('abuse and privacy', () => {
  beforeEach(clearLake)

  it('answers 429 with Retry-After past the limit for one (site, IP), and other IPs are unaffected', async () => {
    const flood = { 'CF-Connecting-IP': '198.51.100.99' }
    const body = batchOf([{ id: 'x' }]) // invalid: cheap, but still counted by the limiter
    // Miniflare's limiter counts in fixed windows of the period, aligned on the epoch: a flood
    // that straddled a window's end would start counting afresh. Start it early in a window.
    const left = 60_000 - (Date.now() % 60_000)
    if (left < 30_000) await new Promise((r) => setTimeout(r, left + 100))
    const statuses: number[] = []
    for (let i = 0; i < 320; i++) statuses.push((await postEvents(body, flood)).status)
    expect(statuses.slice(0, 300).every((s) => s === 400)).toBe(true)
    expect(statuses.slice(300).every((s) => s === 429)).toBe(true)

    const limited = await postEvents(batchOf([wireEventAt('rate-000001')]), flood)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('Retry-After')).toBe('60')
    expect(await limited.json()).toEqual({ error: 'too many requests from this address, retry later' })

    const other = await postEvents(batchOf([wireEventAt('rate-000002')]), { 'CF-Connecting-IP': '198.51.100.100' })
    expect(other.status).toBe(202)
    const rated = (rows: Record<string, unknown>[]) => rows.filter((d) => d.reason === 'rate').reduce((n, d) => n + (d.events as number), 0)
    const drops = await waitForLake((rows) => rated(rows) >= 21, 'dropped/')
    expect(rated(drops)).toBe(21)
    expect(drops.find((d) => d.reason === 'rate')).toMatchObject({
      site: 'demo',
      detail: 'too many requests from this address, retry later',
    })
    await waitForEvents('rate-000002') // let the consumer finish before the next test clears the lake
  }, 90_000)

  it('anonymizes visitors who send Sec-GPC or DNT by default: counted, without a visitor id', async () => {
    const res = await postWith({}, batchOf([wireEventAt('gpc-0000001')]), { 'Sec-GPC': '1' })
    expect(res.status).toBe(202)
    const [row] = await waitForEvents('gpc-0000001')
    expect(row).toMatchObject({ visitor_id: null, visitor_id_prev: null, browser: 'Chrome' })
  })

  it('drops them when PRIVACY_SIGNALS=drop, and says so in the answer and the ledger', async () => {
    const res = await postWith({ PRIVACY_SIGNALS: 'drop' }, batchOf([wireEventAt('dnt-0000001'), wireEventAt('dnt-0000002')]), { DNT: '1' })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 0, rejected: [], dropped: 2 })
    const drops = await waitForLake((rows) => rows.some((d) => d.reason === 'privacy'), 'dropped/')
    expect(drops.filter((d) => d.reason === 'privacy')).toMatchObject([{ site: 'demo', detail: 'Sec-GPC or DNT', events: 2 }])
    expect(await lakeRows('events/')).toEqual([])
  })

  it('ignores the signals when PRIVACY_SIGNALS=ignore', async () => {
    await postWith({ PRIVACY_SIGNALS: 'ignore' }, batchOf([wireEventAt('ign-0000001')]), { DNT: '1' })
    const [row] = await waitForEvents('ign-0000001')
    expect(row!.visitor_id).toMatch(/^[0-9a-f]{32}$/)
  })

  it('answers 503 with Retry-After when the queue refuses, and stores nothing', async () => {
    // Fault injection: the real queue binding, made to refuse as Queues does when over its rate.
    const refusing = {
      sendBatch: async () => {
        throw new Error('Queue sendBatch failed: Too Many Requests')
      },
    } as unknown as Env['EVENTS']
    const res = await postWith({ EVENTS: refusing }, batchOf([wireEventAt('q503-000001')]))
    expect(res.status).toBe(503)
    expect(res.headers.get('Retry-After')).toBe('5')
    expect(await res.json()).toEqual({ error: 'queue unavailable, retry later' })
    await new Promise((r) => setTimeout(r, 2500)) // longer than the consumer's batch timeout
    expect(await lakeRows('events/')).toEqual([])
  })
})
