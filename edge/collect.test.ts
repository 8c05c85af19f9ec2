import { exports } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { clearLake, lakeRows, ORIGIN, wireEventAt } from './test-helpers.ts'

const CF = { country: 'DE', region: 'Berlin', city: 'Berlin', continent: 'EU', timezone: 'Europe/Berlin', asn: 3320, colo: 'TXL' }
const CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'

function post(body: unknown, headers: Record<string, string> = {}) {
  return exports.default.fetch(
    new Request('http://localhost/e', {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'Content-Type': 'text/plain', Origin: ORIGIN, 'User-Agent': CHROME_UA, 'CF-Connecting-IP': '203.0.113.7', ...headers },
      cf: CF,
    }),
  )
}

const batch = (events: unknown[], sentAt = Date.now()) => ({ site: 'demo', sentAt, events })

/** Waits for the queue consumer to write `n` rows to the lake. */
async function waitForRows(n: number) {
  for (let i = 0; i < 100; i++) {
    const rows = await lakeRows()
    if (rows.length >= n) return rows
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`lake never reached ${n} rows`)
}

describe('POST /e', () => {
  beforeEach(clearLake)

  it('accepts a text/plain batch with 202, and the enriched event lands in the lake', async () => {
    const now = Date.now()
    const res = await post(batch([wireEventAt('evt-00000001', now, { url: `${ORIGIN}/demo/shoes?utm_source=news&utm_medium=email`, referrer: 'https://www.google.com/' })], now))
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] })
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*')

    const [row] = await waitForRows(1)
    expect(row).toMatchObject({
      event_id: 'evt-00000001', site: 'demo', type: 'pageview', host: 'localhost', path: '/demo/shoes',
      utm_source: 'news', utm_medium: 'email', channel: 'email', referrer_host: 'www.google.com',
      country: 'DE', region: 'Berlin', city: 'Berlin', continent: 'EU', timezone: 'Europe/Berlin', asn: 3320, colo: 'TXL',
      browser: 'Chrome', browser_version: '126.0.0.0', os: 'Windows', device_type: 'desktop', is_bot: false,
    })
    expect(row!.visitor_id).toMatch(/^[0-9a-f]{32}$/)
    // Privacy: the IP is only an input of the keyed hash.
    expect(JSON.stringify(row)).not.toContain('203.0.113.7')
  })

  it('stores the identified user id, traits and clicked element', async () => {
    const res = await post(batch([
      wireEventAt('ident-000001', Date.now(), { type: 'identify', userId: 'u-42', props: { tier: 'gold', age: 31 } }),
      wireEventAt('click-000001', Date.now(), { type: 'event', name: 'outbound', userId: 'u-42', element: { tag: 'a', text: 'Docs', href: 'https://docs.example/' } }),
      wireEventAt('ident-000002', Date.now(), { type: 'identify' }),
    ]))
    expect(await res.json()).toEqual({ accepted: 2, rejected: [{ index: 2, field: 'userId', reason: 'required for type "identify"' }] })
    const rows = await waitForRows(2)
    const ident = rows.find((r) => r.type === 'identify')!
    expect(ident).toMatchObject({ user_id: 'u-42', props: { tier: 'gold', age: 31 } })
    const click = rows.find((r) => r.type === 'event')!
    expect(click).toMatchObject({ user_id: 'u-42', name: 'outbound', element_tag: 'a', element_text: 'Docs', element_href: 'https://docs.example/' })
  })

  it('corrects the event time for the client clock skew', async () => {
    const now = Date.now()
    const clientClock = now - 3_600_000 // the client's clock is an hour behind
    const res = await post(batch([wireEventAt('skew-0000001', clientClock - 2000)], clientClock))
    expect(res.status).toBe(202)
    const [row] = await waitForRows(1)
    const eventTime = (row!.event_time as Date).getTime()
    expect(Math.abs(eventTime - (now - 2000))).toBeLessThan(1500)
    expect((row!.client_time as Date).getTime()).toBe(clientClock - 2000)
  })

  it('accepts the valid events of a mixed batch and says why each other one was rejected', async () => {
    const res = await post(batch([
      wireEventAt('good-0000001'),
      wireEventAt('bad', Date.now(), { url: 'not a url' }),
      { ...wireEventAt('good-0000002'), type: 'event' }, // custom event without a name
      wireEventAt('foreign-00001', Date.now(), { url: 'https://evil.example/' }),
    ]))
    expect(res.status).toBe(202)
    const body = (await res.json()) as { accepted: number; rejected: { index: number; field: string; reason: string }[] }
    expect(body.accepted).toBe(1)
    expect(body.rejected).toEqual([
      { index: 1, field: 'id', reason: 'Too small: expected string to have >=8 characters' },
      { index: 1, field: 'url', reason: 'Invalid URL' },
      { index: 2, field: 'name', reason: 'required for type "event"' },
      { index: 3, field: 'url', reason: 'host not allowed for site "demo"' },
    ])
    expect((await waitForRows(1)).map((r) => r.event_id)).toEqual(['good-0000001'])
  })

  it.each([
    ['malformed JSON', '{"site": "demo",', 400, /^invalid JSON: /],
    ['not an object', '[1,2]', 400, /^invalid batch$/],
    ['no events', JSON.stringify(batch([])), 400, /^invalid batch$/],
    ['only invalid events', JSON.stringify(batch([{ id: 1 }])), 400, /^no valid event$/],
    ['an unknown site', JSON.stringify({ ...batch([wireEventAt('site-0000001')]), site: 'nope' }), 403, /^unknown site "nope"$/],
    ['an oversized body', 'x'.repeat(64 * 1024 + 1), 413, /^body larger than 65536 bytes$/],
  ])('answers %s with %i and a reason', async (_, body, status, reason) => {
    const res = await post(body)
    expect(res.status).toBe(status)
    expect(((await res.json()) as { error: string }).error).toMatch(reason)
  })

  it('refuses a foreign Origin with 403', async () => {
    const res = await post(batch([wireEventAt('orig-0000001')]), { Origin: 'https://evil.example' })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: 'origin https://evil.example may not send for site "demo"' })
  })

  it('enforces the size limit on a chunked body without Content-Length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 6) c.enqueue(chunk)
        else c.close()
      },
    })
    const res = await exports.default.fetch(new Request('http://localhost/e', { method: 'POST', body, headers: { Origin: ORIGIN } }))
    expect(res.status).toBe(413)
  })
})
