import { exports } from 'cloudflare:workers'
import { beforeEach, describe, expect, it } from 'vitest'
import { batchOf, clearLake, ORIGIN, lakeRows, postEvents, waitForEvents, wireEventAt } from './test-helpers.ts'

const CF = { country: 'DE', region: 'Berlin', city: 'Berlin', continent: 'EU', timezone: 'Europe/Berlin', asn: 3320, colo: 'TXL' }
const post = (body: unknown, headers: Record<string, string> = {}) => postEvents(body, headers, CF)
const batch = batchOf

describe('POST /e', () => {
  beforeEach(clearLake)

  it('accepts a text/plain batch with 202, and the enriched event lands in the lake', async () => {
    const now = Date.now()
    const res = await post(
      batch(
        [
          wireEventAt('evt-00000001', now, {
            url: `${ORIGIN}/demo/shoes?utm_source=news&utm_medium=email`,
            referrer: 'https://www.google.com/',
          }),
        ],
        now,
      ),
    )
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] })
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*')

    const [row] = await waitForEvents('evt-00000001')
    expect(row).toMatchObject({
      event_id: 'evt-00000001',
      site: 'demo',
      type: 'pageview',
      host: 'localhost',
      path: '/demo/shoes',
      utm_source: 'news',
      utm_medium: 'email',
      channel: 'email',
      referrer_host: 'www.google.com',
      country: 'DE',
      region: 'Berlin',
      city: 'Berlin',
      continent: 'EU',
      timezone: 'Europe/Berlin',
      asn: 3320,
      colo: 'TXL',
      browser: 'Chrome',
      browser_version: '126.0.0.0',
      os: 'Windows',
      device_type: 'desktop',
      is_bot: false,
    })
    expect(row!.visitor_id).toMatch(/^[0-9a-f]{32}$/)
    // Privacy: the IP is only an input of the keyed hash.
    expect(JSON.stringify(row)).not.toContain('203.0.113.7')
  })

  it("stores a referrer on the page's own host as none: no referrer, no referrer host, the direct channel", async () => {
    const now = Date.now()
    const events = [
      wireEventAt('evt-self-0001', now, { url: `${ORIGIN}/demo/cart`, referrer: `${ORIGIN}/demo/shoes?size=42` }),
      wireEventAt('evt-self-0002', now + 1, { url: `${ORIGIN}/demo/checkout`, referrer: 'https://blog.example.org/tea' }),
    ]
    expect((await post(batch(events, now))).status).toBe(202)
    const rows = await waitForEvents('evt-self-0001', 'evt-self-0002')
    const byId = Object.fromEntries(rows.map((r) => [r.event_id, r]))
    expect(byId['evt-self-0001']).toMatchObject({ path: '/demo/cart', referrer: null, referrer_host: null, channel: 'direct' })
    expect(byId['evt-self-0002']).toMatchObject({
      referrer: 'https://blog.example.org/tea',
      referrer_host: 'blog.example.org',
      channel: 'referral',
    })
  })

  it('answers CORS: a preflight with the allowed method and headers, every POST answer with origin and Retry-After exposed', async () => {
    const pre = await exports.default.fetch(
      new Request('http://localhost/e', {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://shop.example',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'Authorization, Content-Type',
        },
      }),
    )
    expect(pre.status).toBe(204)
    expect(Object.fromEntries([...pre.headers].filter(([k]) => k.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'Authorization,Content-Type',
      'access-control-expose-headers': 'Retry-After',
      'access-control-max-age': '86400',
    })
    for (const res of [await post(batch([wireEventAt('evt-cors-0001')])), await post('{"site":')]) {
      expect([res.status, res.headers.get('Access-Control-Allow-Origin'), res.headers.get('Access-Control-Expose-Headers')]).toEqual([
        res.status,
        '*',
        'Retry-After',
      ])
    }
  })

  it('stores the identified user id, traits and clicked element', async () => {
    const res = await post(
      batch([
        wireEventAt('ident-000001', Date.now(), { type: 'identify', userId: 'u-42', props: { tier: 'gold', age: 31 } }),
        wireEventAt('click-000001', Date.now(), {
          type: 'event',
          name: 'outbound',
          userId: 'u-42',
          element: { tag: 'a', text: 'Docs', href: 'https://docs.example/' },
        }),
        wireEventAt('ident-000002', Date.now(), { type: 'identify' }),
      ]),
    )
    expect(await res.json()).toEqual({ accepted: 2, rejected: [{ index: 2, field: 'userId', reason: 'required for type "identify"' }] })
    const [ident, click] = await waitForEvents('ident-000001', 'click-000001')
    expect(ident).toMatchObject({ user_id: 'u-42', props: { tier: 'gold', age: 31 } })
    expect(click).toMatchObject({
      user_id: 'u-42',
      name: 'outbound',
      element_tag: 'a',
      element_text: 'Docs',
      element_href: 'https://docs.example/',
    })
  })

  it('corrects the event time for the client clock skew', async () => {
    const now = Date.now()
    const clientClock = now - 3_600_000 // the client's clock is an hour behind
    const res = await post(batch([wireEventAt('skew-0000001', clientClock - 2000)], clientClock))
    expect(res.status).toBe(202)
    const [row] = await waitForEvents('skew-0000001')
    const eventTime = (row!.event_time as Date).getTime()
    expect(Math.abs(eventTime - (now - 2000))).toBeLessThan(1500)
    expect((row!.client_time as Date).getTime()).toBe(clientClock - 2000)
  })

  it('accepts the valid events of a mixed batch and says why each other one was rejected', async () => {
    const res = await post(
      batch([
        wireEventAt('good-0000001'),
        wireEventAt('bad', Date.now(), { url: 'not a url' }),
        { ...wireEventAt('good-0000002'), type: 'event' }, // custom event without a name
        wireEventAt('foreign-00001', Date.now(), { url: 'https://evil.example/' }),
      ]),
    )
    expect(res.status).toBe(202)
    const body = (await res.json()) as { accepted: number; rejected: { index: number; field: string; reason: string }[] }
    expect(body.accepted).toBe(1)
    expect(body.rejected).toEqual([
      { index: 1, field: 'id', reason: 'Too small: expected string to have >=8 characters' },
      { index: 1, field: 'url', reason: 'Invalid URL' },
      { index: 2, field: 'name', reason: 'required for type "event"' },
      { index: 3, field: 'url', reason: 'host not allowed for site "demo"' },
    ])
    await waitForEvents('good-0000001')
    await new Promise((r) => setTimeout(r, 2500)) // longer than the consumer's batch timeout
    expect((await lakeRows()).map((r) => r.event_id)).toEqual(['good-0000001'])
  })
})
