/**
 * The hostile corpus of scenario 4: malformed and malicious requests, each with the answer it must get.
 * The collector's own cases mirror edge/collect-bad-input.test.ts (there through the worker's fetch
 * handler, here over real HTTP); the rest exist only at the HTTP layer: methods, content types, chunked
 * and lying bodies, raw request lines, paths that try to climb out of the lake, queries that try SQL.
 */
import type { Stack } from '../../helpers/stack.ts'
import { batch, DAY, PAGE, postEvents, raw, request, wireEvent, type Answer } from './input-http.ts'

export interface Hostile {
  name: string
  send: (stack: Stack) => Promise<Answer>
  status: number
  /** The reason the answer gives: `error` of the JSON body (the text of a runtime's plain answer). */
  error: RegExp
  /** (field, reason) of event 0's rejection, when the batch itself was readable. */
  rejected?: [string, RegExp]
  /** Events the drop ledger counts for it (the collector counts each refused request; other routes none). */
  ledger: number
}

const now = Date.now()
const ev = (over: Record<string, unknown> = {}) => wireEvent('hostile-000001', over, now)
const one = (over: Record<string, unknown>) => JSON.stringify(batch([ev(over)], now))
const nestedObject = (depth: number): unknown => (depth === 0 ? 'x' : { a: nestedObject(depth - 1) })
const bytes = (...b: number[]) => new Uint8Array(b)
const utf8 = (s: string) => new TextEncoder().encode(s)
const join = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) out.set(p, at), (at += p.length)
  return out
}
const auth = (s: Stack) => ({ headers: { Authorization: `Bearer ${s.token}` } })
const host = (s: Stack) => new URL(s.url).host

/** A body to POST /e, answered by the collector. */
const post = (
  name: string,
  body: string | Uint8Array,
  status: number,
  error: RegExp,
  rejected?: [string, RegExp],
  ledger = 1,
  headers: Record<string, string> = {},
): Hostile => ({
  name,
  status,
  error,
  rejected,
  ledger,
  send: (s) => postEvents(s, body, headers),
})
/** A request that never reaches the collector (another route, or refused before it). */
const req = (name: string, path: (s: Stack) => string, init: (s: Stack) => RequestInit, status: number, error: RegExp): Hostile => ({
  name,
  status,
  error,
  ledger: 0,
  send: (s) => request(s, path(s), init(s)),
})
const get = (name: string, path: string, status: number, error: RegExp) => req(name, () => path, auth, status, error)

const NO_EVENT = /^no valid event$/
const BATCH = /^invalid batch$/
const JSON_ERR = /^invalid JSON: /
const UTF8 = /^body is not valid UTF-8$/
const TOO_BIG = /^body larger than 65536 bytes$/

export const CORPUS: Hostile[] = [
  // Bodies that are not JSON, or not UTF-8.
  post('malformed JSON', '{"site": "demo",', 400, JSON_ERR),
  post('an empty body', '', 400, JSON_ERR),
  post('invalid UTF-8 (0xFF 0xFE)', bytes(0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d), 400, UTF8),
  post('an overlong UTF-8 encoding of "/"', join(utf8('{"site":"demo'), bytes(0xc0, 0xaf), utf8('"}')), 400, UTF8),
  post('a UTF-8-encoded lone surrogate', join(utf8('{"site":"'), bytes(0xed, 0xa0, 0x80), utf8('"}')), 400, UTF8),
  post('a truncated multi-byte sequence', join(utf8('{"site":"demo"}'), bytes(0xe2, 0x82)), 400, UTF8),
  post(
    'a UTF-16LE body',
    join(bytes(0xff, 0xfe), new Uint8Array(new Uint16Array([...'{"site":"demo"}'].map((c) => c.charCodeAt(0))).buffer)),
    400,
    UTF8,
  ),
  post('a NUL-only body', bytes(0, 0, 0, 0), 400, JSON_ERR),
  post('a form-encoded body', 'site=demo&events=%5B%5D', 400, JSON_ERR, undefined, 1, {
    'Content-Type': 'application/x-www-form-urlencoded',
  }),
  post('a multipart body', '--b\r\nContent-Disposition: form-data; name="site"\r\n\r\ndemo\r\n--b--\r\n', 400, JSON_ERR, undefined, 1, {
    'Content-Type': 'multipart/form-data; boundary=b',
  }),
  post('an XML body', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', 400, JSON_ERR, undefined, 1, {
    'Content-Type': 'application/xml',
  }),
  // JSON of the wrong shape.
  post('a JSON array', '[1,2]', 400, BATCH),
  post('JSON null', 'null', 400, BATCH),
  post('a JSON string', '"demo"', 400, BATCH),
  post('no events', JSON.stringify(batch([])), 400, BATCH),
  post('events as an object', JSON.stringify({ site: 'demo', sentAt: now, events: { 0: ev() } }), 400, BATCH),
  post(
    '101 events',
    JSON.stringify(batch(Array.from({ length: 101 }, (_, i) => wireEvent(`many-${String(i).padStart(6, '0')}`)))),
    400,
    BATCH,
    undefined,
    100,
  ), // a request counts at most a batch's 100 items
  post('a missing site', JSON.stringify({ sentAt: now, events: [ev()] }), 400, BATCH),
  post('a site id with capitals', JSON.stringify(batch([ev()], now, 'Demo')), 400, BATCH),
  post('a site id with a Cyrillic homoglyph', JSON.stringify(batch([ev()], now, 'd\u0435mo')), 400, BATCH),
  post('a site id with NUL', JSON.stringify(batch([ev()], now, 'demo\u0000')), 400, BATCH),
  post('a site id climbing a path', JSON.stringify(batch([ev()], now, '../demo')), 400, BATCH),
  post('an unknown site', JSON.stringify(batch([ev()], now, 'nope')), 403, /^unknown site "nope"$/),
  post(
    'duplicate keys, the last naming an unknown site',
    `{"site":"demo","sentAt":${now},"events":[${JSON.stringify(ev())}],"site":"other"}`,
    403,
    /^unknown site "other"$/,
  ),
  post('sentAt as a string', JSON.stringify({ site: 'demo', sentAt: String(now), events: [ev()] }), 400, BATCH),
  post('sentAt 1e999 (Infinity)', `{"site":"demo","sentAt":1e999,"events":[${JSON.stringify(ev())}]}`, 400, BATCH),
  post(
    'a top-level __proto__ carrying the events',
    `{"site":"demo","sentAt":${now},"__proto__":{"events":[${JSON.stringify(ev())}]}}`,
    400,
    BATCH,
  ),
  // Size.
  post('an oversized body', 'x'.repeat(65_537), 413, TOO_BIG),
  post(
    '100 valid events over 64 KB',
    JSON.stringify(
      batch(
        Array.from({ length: 100 }, (_, i) =>
          wireEvent(`big-${String(i).padStart(6, '0')}`, { title: 't'.repeat(500), referrer: `https://r.example/${'r'.repeat(300)}` }),
        ),
      ),
    ),
    413,
    TOO_BIG,
  ),
  {
    name: 'a chunked body of 96 KB without Content-Length',
    status: 413,
    error: TOO_BIG,
    ledger: 1,
    send: (s) => {
      let n = 0
      const body = new ReadableStream<Uint8Array>({ pull: (c) => (n++ < 6 ? c.enqueue(utf8('x'.repeat(16 * 1024))) : c.close()) })
      return request(s, '/e', { method: 'POST', body, headers: { 'Content-Type': 'text/plain' }, duplex: 'half' } as RequestInit)
    },
  },
  {
    name: 'a Content-Length shorter than the body (raw)',
    status: 400,
    error: JSON_ERR,
    ledger: 1,
    send: (s) =>
      raw(
        s,
        `POST /e HTTP/1.1\r\nHost: ${host(s)}\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\n${one({})}`,
      ),
  },
  // JSON bombs: depth and breadth.
  post(
    '30,000 nested arrays as the events',
    `{"site":"demo","sentAt":${now},"events":[${'['.repeat(30_000)}${']'.repeat(30_000)}]}`,
    400,
    NO_EVENT,
    ['(event)', /more than 8192$/],
  ),
  post(
    '20,000 nested objects in props',
    one({ props: { deep: '§' } }).replace('"§"', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
    400,
    NO_EVENT,
    ['(event)', /more than 8192$/],
  ),
  post('deeply nested props', one({ props: { deep: nestedObject(50) } }), 400, NO_EVENT, ['props.deep', /Invalid input/]),
  post('6,000 properties', one({ props: Object.fromEntries(Array.from({ length: 6000 }, (_, i) => [`k${i}`, 1])) }), 400, NO_EVENT, [
    '(event)',
    /more than 8192$/,
  ]),
  post('31 properties', one({ props: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i])) }), 400, NO_EVENT, [
    'props',
    /at most 30 properties/,
  ]),
  // Prototype pollution.
  post(
    'a __proto__ property',
    `{"site":"demo","sentAt":${now},"events":[{"id":"hostile-000001","type":"pageview","ts":${now},"url":"${PAGE}","props":{"__proto__":{"polluted":true}}}]}`,
    400,
    NO_EVENT,
    ['props.__proto__', /reserved property name|Invalid input/],
  ),
  post('a constructor property', one({ props: { constructor: 'x' } }), 400, NO_EVENT, ['props.constructor', /reserved property name/]),
  post('a constructor.prototype property', one({ props: { constructor: { prototype: { polluted: true } } } }), 400, NO_EVENT, [
    'props.constructor',
    /reserved property name|Invalid input/,
  ]),
  post('a prototype property', one({ props: { prototype: 'x' } }), 400, NO_EVENT, ['props.prototype', /reserved property name/]),
  // Events that are readable but wrong.
  post('an event id of the wrong type', one({ id: 12345678 }), 400, NO_EVENT, ['id', /expected string, received number/]),
  post('an event id holding SQL', one({ id: "x'; DROP TABLE events;--" }), 400, NO_EVENT, ['id', /Invalid string|must match|pattern/i]),
  post('a missing url', one({ url: undefined }), 400, NO_EVENT, ['url', /expected string, received undefined/]),
  post('an unknown type', one({ type: 'purchase' }), 400, NO_EVENT, ['type', /expected one of/]),
  post('a negative timestamp', one({ ts: -5 }), 400, NO_EVENT, ['ts', /expected number to be >0/]),
  post('a fractional timestamp', one({ ts: 1.5 }), 400, NO_EVENT, ['ts', /expected int/]),
  post('a timestamp as a string', one({ ts: String(now) }), 400, NO_EVENT, ['ts', /expected number, received string/]),
  post('a far-future timestamp', one({ ts: now + DAY }), 400, NO_EVENT, ['ts', /^later than the batch was sent$/]),
  post('a timestamp older than 7 days', one({ ts: now - 8 * DAY }), 400, NO_EVENT, ['ts', /^older than 7 days$/]),
  post('a URL over 2,000 characters', one({ url: `${PAGE}${'a'.repeat(2000)}` }), 400, NO_EVENT, ['url', /<=2000 characters/]),
  post('a referrer over 2,000 characters', one({ referrer: `https://r.example/${'a'.repeat(2000)}` }), 400, NO_EVENT, [
    'referrer',
    /<=2000 characters/,
  ]),
  post(
    'an event over 8 KB',
    one({ props: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(450)])) }),
    400,
    NO_EVENT,
    ['(event)', /more than 8192$/],
  ),
  post('a foreign page URL', one({ url: 'https://evil.example/' }), 400, NO_EVENT, ['url', /^host not allowed for site "demo"$/]),
  post('a page URL whose userinfo names our host', one({ url: 'http://localhost@evil.example/' }), 400, NO_EVENT, [
    'url',
    /^host not allowed for site "demo"$/,
  ]),
  post('a javascript: URL', one({ url: 'javascript:alert(1)' }), 400, NO_EVENT, ['url', /host not allowed|Invalid URL/]),
  post('a data: URL', one({ url: 'data:text/html,<script>alert(1)</script>' }), 400, NO_EVENT, ['url', /host not allowed|Invalid URL/]),
  post('an ip without the API key', one({ ip: '8.8.8.8' }), 400, NO_EVENT, ['ip', /^needs the site's API key$/]),
  post('a custom event without a name', one({ type: 'event' }), 400, NO_EVENT, ['name', /^required for type "event"$/]),
  // Who may send.
  post(
    'a foreign Origin',
    JSON.stringify(batch([ev()])),
    403,
    /^origin https:\/\/evil\.example may not send for site "demo"$/,
    undefined,
    1,
    { Origin: 'https://evil.example' },
  ),
  post('Origin: null (a sandboxed frame)', JSON.stringify(batch([ev()])), 403, /^origin null may not send/, undefined, 1, {
    Origin: 'null',
  }),
  post('an Origin that only starts with our host', JSON.stringify(batch([ev()])), 403, /may not send/, undefined, 1, {
    Origin: 'http://localhost.evil.example',
  }),
  post('a wrong API key', JSON.stringify(batch([ev()])), 401, /^wrong API key for site "demo"$/, undefined, 1, {
    Authorization: 'Bearer guess',
  }),
  post('a 10 KB API key', JSON.stringify(batch([ev()])), 401, /^wrong API key/, undefined, 1, {
    Authorization: `Bearer ${'k'.repeat(10_000)}`,
  }),
  post('Basic credentials', JSON.stringify(batch([ev()])), 401, /^wrong API key/, undefined, 1, {
    Authorization: `Basic ${btoa('demo:demo-server-key')}`,
  }),
  // Methods and routes.
  req(
    'GET /e',
    () => '/e',
    () => ({}),
    404,
    /^no route for GET \/e$/,
  ),
  req(
    'PUT /e',
    () => '/e',
    () => ({ method: 'PUT', body: one({}) }),
    404,
    /^no route for PUT \/e$/,
  ),
  req(
    'DELETE /e',
    () => '/e',
    () => ({ method: 'DELETE' }),
    404,
    /^no route for DELETE \/e$/,
  ),
  req(
    'PATCH /e',
    () => '/e',
    () => ({ method: 'PATCH', body: one({}) }),
    404,
    /^no route for PATCH \/e$/,
  ),
  req(
    'POST /e/%2e%2e/api/files (read as /api/files)',
    () => '/e/%2e%2e/api/files',
    () => ({ method: 'POST', body: one({}) }),
    401,
    /^missing bearer token$/,
  ),
  req(
    'POST /data/<file>',
    () => '/data/events/x.parquet',
    (s) => ({ method: 'POST', body: 'x', ...auth(s) }),
    404,
    /^no route for POST \/data\/events\/x\.parquet$/,
  ),
  req(
    'DELETE /api/files',
    () => '/api/files?site=demo',
    (s) => ({ method: 'DELETE', ...auth(s) }),
    404,
    /^no route for DELETE \/api\/files$/,
  ),
  // Paths that try to leave the lake's tables (with a valid token).
  get('/data/ climbing with %2F', '/data/events/..%2F..%2Fsalts%2F2026-01-01', 404, /^not a lake file$/),
  get(
    '/data/ climbing with %2e%2e (read as /wrangler.toml)',
    '/data/%2e%2e/%2e%2e/wrangler.toml',
    404,
    /^no route for GET \/wrangler\.toml$/,
  ),
  get('/data/ of a salt', `/data/salts/${new Date().toISOString().slice(0, 10)}`, 404, /^not a lake file$/),
  get('/data/ of the geo database', '/data/geo/country.mmdb', 404, /^not a lake file$/),
  get('/data/ of a dead letter', '/data/deadletter/date=2026-01-01/x.json', 404, /^not a lake file$/),
  get('/data/ with a NUL before .parquet', '/data/events/x%00.parquet', 404, /^no such file$/),
  get('/data/ with a malformed escape', '/data/events/%E0%A4%A.parquet', 404, /^not a lake file$/),
  get('/data/ of a missing file', '/data/events/none.parquet', 404, /^no such file$/),
  {
    name: 'a raw `..` path to a salt (read as /salts/x.parquet)',
    status: 404,
    error: /^no route for GET \/salts\/x\.parquet$/,
    ledger: 0,
    send: (s) =>
      raw(
        s,
        `GET /data/events/../../salts/x.parquet HTTP/1.1\r\nHost: ${host(s)}\r\nAuthorization: Bearer ${s.token}\r\nConnection: close\r\n\r\n`,
      ),
  },
  // Raw HTTP/1.1 the runtime or the collector must refuse (fetch would not send these).
  {
    name: 'a 200 KB header (raw)',
    status: 431,
    error: /^ERROR: header too large\.$/,
    ledger: 0,
    send: (s) => raw(s, `POST /e HTTP/1.1\r\nHost: ${host(s)}\r\nX-Junk: ${'a'.repeat(200_000)}\r\nConnection: close\r\n\r\n`),
  },
  {
    name: 'Content-Length and chunked at once, a smuggling attempt (raw)',
    status: 400,
    error: JSON_ERR,
    ledger: 1,
    send: (s) =>
      raw(
        s,
        `POST /e HTTP/1.1\r\nHost: ${host(s)}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
      ),
  },
  {
    name: 'an invalid chunk size (raw)',
    status: 400,
    error: JSON_ERR,
    ledger: 1,
    send: (s) =>
      raw(s, `POST /e HTTP/1.1\r\nHost: ${host(s)}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`),
  },
  // Queries that try SQL or other tables.
  get(
    '/api/files with SQL in site',
    `/api/files?site=${encodeURIComponent("demo' OR '1'='1")}`,
    400,
    /^site is required \(lowercase id\)$/,
  ),
  get('/api/files of another table', '/api/files?site=demo&table=salts', 400, /^table must be one of events, dropped$/),
  get('/api/files of a site climbing a path', '/api/files?site=../geo', 400, /^site is required/),
  get('/api/files with from=NaN', '/api/files?site=demo&from=NaN', 400, /^from and to must be/),
  get('/api/files with a ttl of 30 years', '/api/files?site=demo&signed=1&ttl=946080000', 400, /^ttl must be/),
]
