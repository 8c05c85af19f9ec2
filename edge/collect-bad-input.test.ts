/**
 * Every kind of bad input gets its exact status and reason, and never a 5xx. Valid events in the same
 * batch still land (collect.test.ts); here, nothing from these requests may reach the events table.
 */
import { exports } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { LIMITS } from '../warehouse/wire.ts'
import { batchOf, clearLake, lakeRows, ORIGIN, postEvents, waitForLake, wireEventAt } from './test-helpers.ts'

const now = Date.now()
const ev = (over: Record<string, unknown> = {}) => wireEventAt('evt-00000001', now, over)
const one = (over: Record<string, unknown>) => JSON.stringify(batchOf([ev(over)], now))
const nested = (depth: number): unknown => (depth === 0 ? 'x' : { a: nested(depth - 1) })

/** [name, body, status, error, rejected (field, reason) of event 0 when the batch itself was readable] */
const CASES: [string, string | Uint8Array, number, RegExp, [string, RegExp]?][] = [
  ['malformed JSON', '{"site": "demo",', 400, /^invalid JSON: /],
  ['an empty body', '', 400, /^invalid JSON: /],
  ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, /^body is not valid UTF-8$/],
  ['a JSON array', '[1,2]', 400, /^invalid batch$/],
  ['JSON null', 'null', 400, /^invalid batch$/],
  ['no events', JSON.stringify(batchOf([])), 400, /^invalid batch$/],
  [
    '101 events',
    JSON.stringify(batchOf(Array.from({ length: 101 }, (_, i) => wireEventAt(`many-${String(i).padStart(6, '0')}`)))),
    400,
    /^invalid batch$/,
  ],
  ['a missing site', JSON.stringify({ sentAt: now, events: [ev()] }), 400, /^invalid batch$/],
  ['a site id with capitals', JSON.stringify(batchOf([ev()], now, 'Demo')), 400, /^invalid batch$/],
  ['an unknown site', JSON.stringify(batchOf([ev()], now, 'nope')), 403, /^unknown site "nope"$/],
  ['an oversized body', 'x'.repeat(LIMITS.bodyBytes + 1), 413, /^body larger than 65536 bytes$/],
  ['an event id of the wrong type', one({ id: 12345678 }), 400, /^no valid event$/, ['id', /expected string, received number/]],
  ['a missing url', one({ url: undefined }), 400, /^no valid event$/, ['url', /expected string, received undefined/]],
  ['an unknown type', one({ type: 'purchase' }), 400, /^no valid event$/, ['type', /expected one of/]],
  ['a negative timestamp', one({ ts: -5 }), 400, /^no valid event$/, ['ts', /expected number to be >0/]],
  ['a fractional timestamp', one({ ts: 1.5 }), 400, /^no valid event$/, ['ts', /expected int/]],
  ['a far-future timestamp', one({ ts: now + 86_400_000 }), 400, /^no valid event$/, ['ts', /^later than the batch was sent$/]],
  ['a timestamp older than 7 days', one({ ts: now - 8 * 86_400_000 }), 400, /^no valid event$/, ['ts', /^older than 7 days$/]],
  [
    'a URL over 2,000 characters',
    one({ url: `${ORIGIN}/${'a'.repeat(2000)}` }),
    400,
    /^no valid event$/,
    ['url', /expected string to have <=2000 characters/],
  ],
  [
    'a referrer over 2,000 characters',
    one({ referrer: `https://r.example/${'a'.repeat(2000)}` }),
    400,
    /^no valid event$/,
    ['referrer', /<=2000 characters/],
  ],
  [
    'an event over 8 KB',
    one({ props: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(450)])) }),
    400,
    /^no valid event$/,
    ['(event)', /more than 8192$/],
  ],
  [
    'a __proto__ property',
    `{"site":"demo","sentAt":${now},"events":[{"id":"evt-00000001","type":"pageview","ts":${now},"url":"${ORIGIN}/","props":{"__proto__":"x"}}]}`,
    400,
    /^no valid event$/,
    ['props.__proto__', /reserved property name/],
  ],
  [
    'a constructor property',
    one({ props: { constructor: 'x' } }),
    400,
    /^no valid event$/,
    ['props.constructor', /reserved property name/],
  ],
  ['deeply nested props', one({ props: { deep: nested(50) } }), 400, /^no valid event$/, ['props.deep', /Invalid input/]],
  [
    '31 properties',
    one({ props: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i])) }),
    400,
    /^no valid event$/,
    ['props', /at most 30 properties/],
  ],
  ['a foreign page URL', one({ url: 'https://evil.example/' }), 400, /^no valid event$/, ['url', /^host not allowed for site "demo"$/]],
  ['a javascript: URL', one({ url: 'javascript:alert(1)' }), 400, /^no valid event$/, ['url', /host not allowed|Invalid URL/]],
  ['an ip without the API key', one({ ip: '8.8.8.8' }), 400, /^no valid event$/, ['ip', /^needs the site's API key$/]],
  ['a custom event without a name', one({ type: 'event' }), 400, /^no valid event$/, ['name', /^required for type "event"$/]],
]

describe('bad input', () => {
  beforeAll(clearLake)

  it.each(CASES)('answers %s with its status and reason', async (_, body, status, error, rejected) => {
    const res = await postEvents(body)
    expect(res.status).toBe(status)
    const json = (await res.json()) as { error: string; rejected?: { index: number; field: string; reason: string }[] }
    expect(json.error).toMatch(error)
    if (rejected) {
      expect(json.rejected?.[0]).toMatchObject({ index: 0, field: rejected[0] })
      expect(json.rejected?.[0]?.reason).toMatch(rejected[1])
    }
  })

  it('refuses a foreign Origin with 403', async () => {
    const res = await postEvents(batchOf([ev()]), { Origin: 'https://evil.example' })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: 'origin https://evil.example may not send for site "demo"' })
  })

  it('refuses a wrong API key with 401', async () => {
    const res = await postEvents(batchOf([ev()]), { Authorization: 'Bearer guess' })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'wrong API key for site "demo"' })
  })

  /** 96 KB streamed in six 16 KB chunks: the length is known only by reading it. */
  const streamedBody = () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
    let sent = 0
    return new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 6) c.enqueue(chunk)
        else c.close()
      },
    })
  }

  it('enforces the size limit on a chunked body without Content-Length', async () => {
    const res = await exports.default.fetch(
      new Request('http://localhost/e', { method: 'POST', body: streamedBody(), headers: { Origin: ORIGIN } }),
    )
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({ error: 'body larger than 65536 bytes' })
  })

  it('enforces the size limit on the bytes read when Content-Length understates the body', async () => {
    const headers = { Origin: ORIGIN, 'Content-Length': '100' }
    const res = await exports.default.fetch(new Request('http://localhost/e', { method: 'POST', body: streamedBody(), headers }))
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({ error: 'body larger than 65536 bytes' })
  })

  it('stored none of it, and counted every refused request in the drop ledger', async () => {
    const count = (rows: Record<string, unknown>[], reason: string) =>
      rows.filter((d) => d.reason === reason).reduce((n, d) => n + (d.events as number), 0)
    // Every case is one event, but "101 events" (a batch's cap: 100) and "an unknown site" (forbidden), plus the two chunked bodies.
    const invalid = CASES.length - 2 + 100 + 2
    const drops = await waitForLake((rows) => count(rows, 'invalid') >= invalid && count(rows, 'forbidden') >= 3, 'dropped/')
    expect(count(drops, 'invalid')).toBe(invalid)
    expect(count(drops, 'forbidden')).toBe(3) // unknown site, foreign origin, wrong API key
    expect(await lakeRows('events/')).toEqual([])
    // The ledger's detail names the kind of refusal, never what the request chose (its site id, origin, keys).
    const unknownSite = drops.find((d) => d.detail === 'unknown site')
    expect(unknownSite).toMatchObject({ site: '_unknown', reason: 'forbidden', events: 1 })
    const proto = drops.find((d) => d.field === 'props' && d.detail === 'reserved property name')
    expect(proto).toMatchObject({ site: 'demo', reason: 'invalid', detail: 'reserved property name', events: 1 })
  })
})
