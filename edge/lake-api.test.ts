import { exports } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeMeta } from '../warehouse/lake.ts'
import { eventRow } from '../warehouse/testing/rows.ts'
import { signedUrl } from './lake-api.ts'
import { clearLake, deliver, testEnv, TOKEN } from './test-helpers.ts'

const H10 = Date.UTC(2026, 0, 10, 10, 15) // 2026-01-10 10:15 UTC
const H12 = Date.UTC(2026, 0, 10, 12, 45)
const D12 = Date.UTC(2026, 0, 12, 8, 0)

const get = (path: string, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }, method = 'GET') =>
  exports.default.fetch(new Request(`http://localhost${path}`, { headers, method }))

describe('lake API', () => {
  beforeAll(async () => {
    await clearLake()
    await deliver(
      [
        ['a', H10],
        ['b', H10 + 60_000],
        ['c', H12],
        ['d', D12],
      ].map(([id, t]) => eventRow({ event_id: id as string, event_time: t as number })),
    )
  })

  it('answers 401 without a token and 403 with a wrong one', async () => {
    const none = await get('/api/files?site=demo', {})
    expect(none.status).toBe(401)
    expect(none.headers.get('WWW-Authenticate')).toBe('Bearer')
    expect(await none.json()).toEqual({ error: 'missing bearer token' })
    const wrong = await get('/api/files?site=demo', { Authorization: 'Bearer nope' })
    expect(wrong.status).toBe(403)
    expect(await wrong.json()).toEqual({ error: 'wrong token' })
    expect((await get('/data/events/x.parquet', {})).status).toBe(401)
  })

  it('lists the files overlapping a range, with rows, bytes and times', async () => {
    const res = await get(`/api/files?site=demo&from=2026-01-10T00:00:00Z&to=2026-01-10T23:59:59Z`)
    expect(res.status).toBe(200)
    const { files } = (await res.json()) as {
      files: { key: string; url: string; rows: number; bytes: number; minTime: string; maxTime: string }[]
    }
    expect(files.map((f) => [f.key.replace(/[0-9a-f]{20}/, 'P'), f.rows, f.minTime, f.maxTime])).toEqual([
      ['events/site=demo/date=2026-01-10/hour=10/P.parquet', 2, '2026-01-10T10:15:00.000Z', '2026-01-10T10:16:00.000Z'],
      ['events/site=demo/date=2026-01-10/hour=12/P.parquet', 1, '2026-01-10T12:45:00.000Z', '2026-01-10T12:45:00.000Z'],
    ])
    expect(files[0]!.url).toBe(`/data/${files[0]!.key}`)
    expect(files[0]!.bytes).toBeGreaterThan(100)

    // A range inside one day keeps only the files whose times overlap it.
    const narrow = await get(`/api/files?site=demo&from=${H12 - 1000}&to=${D12}`)
    expect(((await narrow.json()) as { files: unknown[] }).files).toHaveLength(2)
  })

  it.each([
    ['/api/files', 'site is required (lowercase id)'],
    ['/api/files?site=demo&from=yesterday', 'from and to must be ISO 8601 times or epoch milliseconds'],
    ['/api/files?site=demo&from=2026-01-02&to=2026-01-01', 'from is after to'],
    ['/api/files?site=demo&from=2020-01-01&to=2026-01-01', 'range longer than 400 days'],
  ])('answers %s with 400', async (path, error) => {
    const res = await get(path)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error })
  })

  it('serves a file whole, by Range, by HEAD, and 304 on a matching ETag', async () => {
    const list = await testEnv.LAKE.list({ prefix: 'events/site=demo/date=2026-01-12/' })
    const key = list.objects[0]!.key
    const auth = { Authorization: `Bearer ${TOKEN}` }
    const whole = await get(`/data/${key}`)
    expect(whole.status).toBe(200)
    const bytes = new Uint8Array(await whole.arrayBuffer())
    expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe('PAR1')
    expect(whole.headers.get('Cache-Control')).toContain('immutable')
    const etag = whole.headers.get('ETag')!

    const tail = await get(`/data/${key}`, { ...auth, Range: `bytes=${bytes.length - 8}-` })
    expect(tail.status).toBe(206)
    expect(tail.headers.get('Content-Range')).toBe(`bytes ${bytes.length - 8}-${bytes.length - 1}/${bytes.length}`)
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.slice(-8))

    const head = await get(`/data/${key}`, auth, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.headers.get('Content-Length')).toBe(String(bytes.length))

    const cached = await get(`/data/${key}`, { ...auth, 'If-None-Match': etag })
    expect(cached.status).toBe(304)
  })

  it('ignores a Range it cannot honour (200, whole file), answers a range past the end 416, a failed If-Match 412', async () => {
    const key = (await testEnv.LAKE.list({ prefix: 'events/site=demo/date=2026-01-12/' })).objects[0]!.key
    const auth = { Authorization: `Bearer ${TOKEN}` }
    const whole = await get(`/data/${key}`)
    const bytes = new Uint8Array(await whole.arrayBuffer())
    const etag = whole.headers.get('ETag')!
    for (const range of ['bytes=abc', 'bytes=10-5', 'items=0-1', 'bytes=0-1,4-5', 'bytes=-', 'bytes=0x10-']) {
      const res = await get(`/data/${key}`, { ...auth, Range: range })
      expect([range, res.status, res.headers.get('Content-Range')]).toEqual([range, 200, null])
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes)
    }
    // A last byte past the end is cut to the file (RFC 9110 14.1.1).
    const over = await get(`/data/${key}`, { ...auth, Range: `bytes=${bytes.length - 4}-${bytes.length + 100}` })
    expect([over.status, over.headers.get('Content-Range')]).toEqual([206, `bytes ${bytes.length - 4}-${bytes.length - 1}/${bytes.length}`])
    expect(new Uint8Array(await over.arrayBuffer())).toEqual(bytes.slice(-4))
    for (const range of [`bytes=${bytes.length}-`, `bytes=${bytes.length + 10}-${bytes.length + 20}`, 'bytes=-0']) {
      const res = await get(`/data/${key}`, { ...auth, Range: range })
      expect([range, res.status, res.headers.get('Content-Range')]).toEqual([range, 416, `bytes */${bytes.length}`])
      expect(await res.json()).toEqual({ error: `range not satisfiable: the file has ${bytes.length} bytes` })
    }
    const failed = await get(`/data/${key}`, { ...auth, 'If-Match': '"not-this-one"' })
    expect(failed.status).toBe(412)
    expect(await failed.json()).toEqual({ error: 'precondition failed: the file has another ETag' })
    const matched = await get(`/data/${key}`, { ...auth, 'If-Match': etag })
    expect(matched.status).toBe(200)
    expect(new Uint8Array(await matched.arrayBuffer())).toEqual(bytes)
    expect((await get(`/data/${key}`, { ...auth, 'If-Match': etag, 'If-None-Match': etag })).status).toBe(304)
    expect((await get(`/data/${key}`, { ...auth, 'If-Match': '"other"', 'If-None-Match': etag })).status).toBe(412)
  })

  it('serves only lake files', async () => {
    for (const path of ['/data/salts/2026-01-10', '/data/events/../salts/x.parquet', '/data/events/none.parquet']) {
      expect((await get(path)).status).toBe(404)
    }
  })

  it('lists a merged file instead of the parts it covers, and parts written after it', async () => {
    const F1 = Date.UTC(2026, 1, 1, 9, 5)
    await deliver([eventRow({ event_id: 'm1', event_time: F1 })])
    await deliver([eventRow({ event_id: 'm2', event_time: F1 + 60_000 })])
    const parts = (await testEnv.LAKE.list({ prefix: 'events/site=demo/date=2026-02-01/' })).objects
    const covers = Math.max(...parts.map((o) => o.uploaded.getTime()))
    // A merged file of both parts (content irrelevant to the listing), as compaction writes it.
    const merged = 'events/site=demo/date=2026-02-01/hour=09/merged-00000000000000000000.parquet'
    await testEnv.LAKE.put(merged, 'PAR1', {
      customMetadata: encodeMeta({ rows: 2, minTime: F1, maxTime: F1 + 60_000, schema: 2, covers }),
    })
    await new Promise((r) => setTimeout(r, 5))
    await deliver([eventRow({ event_id: 'm3', event_time: F1 + 120_000 })]) // late: after the merge
    const res = await get(`/api/files?site=demo&from=2026-02-01T00:00:00Z&to=2026-02-01T23:59:59Z`)
    const { files } = (await res.json()) as { files: { key: string; rows: number; minTime: string }[] }
    expect(parts.map((o) => o.key).filter((k) => files.some((f) => f.key === k))).toEqual([])
    expect(files.map((f) => `${f.key.includes('merged-') ? 'merged' : 'part'} ${f.rows} ${f.minTime}`).sort()).toEqual([
      'merged 2 2026-02-01T09:05:00.000Z',
      'part 1 2026-02-01T09:07:00.000Z',
    ])
  })
})

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

describe('signed lake URLs', () => {
  type Listed = { key: string; url: string; signedUrl?: string }
  const files = async (query = '') => {
    const res = await get(`/api/files?site=demo&from=2026-01-10T00:00:00Z&to=2026-01-12T23:59:59Z${query}`)
    expect(res.status).toBe(200)
    return ((await res.json()) as { files: Listed[] }).files
  }
  const parts = (u: string) => {
    const url = new URL(u, 'http://localhost')
    return { path: url.pathname, exp: Number(url.searchParams.get('exp')), sig: url.searchParams.get('sig')! }
  }

  beforeAll(async () => {
    if ((await files()).length === 0) {
      await deliver(
        [
          ['s1', H10],
          ['s2', D12],
        ].map(([id, t]) => eventRow({ event_id: id as string, event_time: t as number })),
      )
    }
  })

  it('lists a signed URL beside the unchanged url, valid for an hour by default', async () => {
    expect((await files()).every((f) => f.signedUrl === undefined)).toBe(true)
    const t = Math.floor(Date.now() / 1000)
    const listed = await files('&signed=1')
    expect(listed.length).toBeGreaterThan(0)
    for (const f of listed) {
      expect(f.url).toBe(`/data/${f.key}`)
      const { path, exp, sig } = parts(f.signedUrl!)
      expect(decodeURIComponent(path)).toBe(f.url)
      expect(exp - t).toBeGreaterThanOrEqual(3600)
      expect(exp - t).toBeLessThanOrEqual(3601)
      expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/)
    }
    const week = parts((await files('&signed=1&ttl=604800'))[0]!.signedUrl!)
    expect(week.exp - t).toBeGreaterThanOrEqual(604800)
  })

  it.each(['0', '-5', '1.5', 'x', '604801'])('answers ttl=%s with 400', async (ttl) => {
    const res = await get(`/api/files?site=demo&signed=1&ttl=${ttl}`)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'ttl must be 1 to 604800 seconds' })
  })

  it('serves the file without a bearer token: whole, by Range and by HEAD, cached no longer than it is valid', async () => {
    const [f] = await files('&signed=1')
    const bearer = new Uint8Array(await (await get(f!.url)).arrayBuffer())
    const res = await get(f!.signedUrl!, {})
    expect(res.status).toBe(200)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bearer)
    const maxAge = Number(res.headers.get('Cache-Control')!.match(/^private, max-age=(\d+)$/)![1])
    expect(maxAge).toBeGreaterThan(3590)
    expect(maxAge).toBeLessThanOrEqual(3600)
    const tail = await get(f!.signedUrl!, { Range: 'bytes=-8' })
    expect(tail.status).toBe(206)
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bearer.slice(-8))
    expect((await get(f!.signedUrl!, {}, 'HEAD')).status).toBe(200)
  })

  it('signs HMAC-SHA-256 of "<key>\\n<exp>" under a key derived from DASHBOARD_TOKEN, as documented', async () => {
    const [f] = await files('&signed=1')
    const { exp, sig } = parts(f!.signedUrl!)
    const enc = new TextEncoder()
    const hmac = { name: 'HMAC', hash: 'SHA-256' }
    const root = await crypto.subtle.importKey('raw', enc.encode(TOKEN), hmac, false, ['sign'])
    const derived = await crypto.subtle.importKey(
      'raw',
      await crypto.subtle.sign('HMAC', root, enc.encode('footfall signed url v1')),
      hmac,
      false,
      ['sign'],
    )
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', derived, enc.encode(`${f!.key}\n${exp}`)))
    expect(
      btoa(String.fromCharCode(...mac))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, ''),
    ).toBe(sig)
    // The same URL signed with a SIGNING_KEY is another signature, which this worker (no SIGNING_KEY) refuses.
    const other = await signedUrl({ ...testEnv, SIGNING_KEY: 'another-key' }, f!.key, exp)
    expect(parts(other).sig).not.toBe(sig)
    expect((await get(other, {})).status).toBe(403)
  })

  it('answers an altered, foreign, partial or expired signed URL with 403 and the reason', async () => {
    const all = await files('&signed=1')
    const [f, g] = all.length > 1 ? all : [all[0], all[0]]
    const { exp, sig } = parts(f!.signedUrl!)
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1)
    const bad: [string, string][] = [
      [`${f!.url}?exp=${exp}&sig=${flip(sig)}`, 'bad signature'],
      [`${f!.url}?exp=${exp + 1}&sig=${sig}`, 'bad signature'],
      [`${f!.url}?exp=${exp}`, 'bad signature'],
      [`${f!.url}?sig=${sig}`, 'bad signature'],
      [`${f!.url}?exp=${exp}&sig=${sig}x`, 'bad signature'],
      [`${f!.url}?exp=${exp}&sig=`, 'bad signature'],
      [`${f!.url}?exp=soon&sig=${sig}`, 'bad signature'],
      // Another spelling of the same expiry: only the URL as issued opens the file.
      [`${f!.url}?exp=0${exp}&sig=${sig}`, 'bad signature'],
      [`${f!.url}?exp=000${exp}&sig=${sig}`, 'bad signature'],
      [`${f!.url}?exp=+${exp}&sig=${sig}`, 'bad signature'],
      [`${f!.url}?exp=${exp}&sig=${sig.toLowerCase()}`, 'bad signature'],
      // The last character's 2 unused bits: another spelling of the same bytes.
      [`${f!.url}?exp=${exp}&sig=${sig.slice(0, -1)}${B64[B64.indexOf(sig.at(-1)!) ^ 1]}`, 'bad signature'],
      [await signedUrl(testEnv, f!.key, Math.floor(Date.now() / 1000) - 1), 'signed URL expired'],
    ]
    if (g!.key !== f!.key) bad.push([`${g!.url}?exp=${exp}&sig=${sig}`, 'bad signature']) // another file's signature
    for (const [url, error] of bad) {
      const res = await get(url, {})
      expect([url, res.status, await res.json()]).toEqual([url, 403, { error }])
    }
    // A signed URL of a file is not a key to the listing.
    expect((await get(`/api/files?site=demo&exp=${exp}&sig=${sig}`, {})).status).toBe(401)
  })

  it('expires: valid for its ttl, 403 once it has passed', async () => {
    const [f] = await files('&signed=1&ttl=1')
    expect((await get(f!.signedUrl!, {})).status).toBe(200)
    await new Promise((r) => setTimeout(r, 2100))
    const res = await get(f!.signedUrl!, {})
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: 'signed URL expired' })
  })
})

describe('lake API headers', () => {
  it('marks every answer as not to be sniffed, framed or run, and allows no cross-origin read', async () => {
    for (const [path, headers] of [
      ['/api/files?site=demo', undefined],
      ['/api/files?site=demo', {}],
      ['/data/%', undefined],
    ] as const) {
      const res = await get(path, { ...(headers ?? { Authorization: `Bearer ${TOKEN}` }), Origin: 'https://evil.example' })
      expect([path, res.status, res.headers.get('X-Content-Type-Options')]).toEqual([path, res.status, 'nosniff'])
      expect(res.headers.get('Content-Security-Policy')).toBe("default-src 'none'; frame-ancestors 'none'")
      expect(res.headers.get('Referrer-Policy')).toBe('no-referrer')
      expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull()
      expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull()
    }
  })

  it('answers a malformed percent-encoding in a /data/ path with 404, not 500', async () => {
    for (const path of ['/data/%', '/data/events/%E0%A4%A.parquet', '/data/events%2F..%2Fsalts%2Fx.parquet']) {
      const res = await get(path)
      expect([path, res.status]).toEqual([path, 404])
    }
  })
})
