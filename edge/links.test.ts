/**
 * Shared links as an attacker would use them, inside workerd on Miniflare's R2: a link of site demo opens
 * demo's listings, aggregates and files, and nothing else: not another site's files, listing or aggregates
 * (site `shop` has data in the same lake), not once tampered with, revoked or expired, and never the owner's
 * routes (links, sites, the local cron).
 */
import { exports } from 'cloudflare:workers'
import { parquetReadObjects } from 'hyparquet'
import { beforeAll, describe, expect, it } from 'vitest'
import { eventRow } from '../warehouse/testing/rows.ts'
import { base64url, fromBase64url } from './keys.ts'
import { compact } from './scheduled.ts'
import { clearLake, deliver, testEnv, TOKEN } from './test-helpers.ts'

const OWNER = { Authorization: `Bearer ${TOKEN}` }
const at = (d: number, h: number) => Date.UTC(2026, 2, d, h)
const call = (path: string, headers: Record<string, string> = OWNER, method = 'GET', body?: unknown) =>
  exports.default.fetch(
    new Request(`http://localhost${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }),
  )
const as = (token: string) => ({ Authorization: `Bearer ${token}` })
const RANGE = `from=${at(1, 0)}&to=${at(6, 0)}`

interface Link {
  id: string
  site: string
  exp?: number
  sql?: boolean
  token: string
  url: string
}
async function createLink(body: Record<string, unknown> = {}, site = 'demo'): Promise<Link> {
  const res = await call(`/api/sites/${site}/links`, OWNER, 'POST', body)
  expect(res.status).toBe(201)
  return ((await res.json()) as { link: Link }).link
}
const keysOf = async (res: Response) => ((await res.json()) as { files: { key: string }[] }).files.map((f) => f.key)

let shopKey: string
let shopAggregate: string

describe('shared links', () => {
  beforeAll(async () => {
    await clearLake()
    for (const prefix of ['aggregates/', 'rollups/', 'settings/']) {
      const list = await testEnv.LAKE.list({ prefix })
      if (list.objects.length) await testEnv.LAKE.delete(list.objects.map((o) => o.key))
    }
    await deliver([
      eventRow({ event_id: 'd1', event_time: at(3, 9), visitor_id: 'a'.repeat(32), path: '/' }),
      eventRow({ event_id: 'd2', event_time: at(3, 10), visitor_id: 'b'.repeat(32), path: '/tea' }),
      eventRow({ event_id: 's1', site: 'shop', event_time: at(3, 9), visitor_id: 'c'.repeat(32), path: '/secret' }),
    ])
    // March 3rd closed: compacted and aggregated for both sites.
    await compact({ settledAt: Date.now() + 1000 })(testEnv, at(5, 3))
    shopKey = (await testEnv.LAKE.list({ prefix: 'events/site=shop/' })).objects[0]!.key
    shopAggregate = (await testEnv.LAKE.list({ prefix: 'aggregates/site=shop/' })).objects[0]!.key
  })

  it("opens its own site: the listing, the aggregates and the files, with the site's rows", async () => {
    const link = await createLink({ label: 'for the team' })
    expect(link).toMatchObject({ site: 'demo', url: `/dashboard/#link=${link.token}` })
    const files = await call(`/api/files?site=demo&${RANGE}&rollups=1`, as(link.token))
    expect(files.status).toBe(200)
    const listed = (await files.json()) as { files: { key: string; url: string; rollup?: { url: string } }[] }
    expect(listed.files).toHaveLength(1)
    const file = await call(listed.files[0]!.url, as(link.token))
    expect(file.status).toBe(200)
    const rows = await parquetReadObjects({ file: await file.arrayBuffer() })
    expect(rows.map((r) => r.event_id).sort()).toEqual(['d1', 'd2'])
    expect((await call(listed.files[0]!.rollup!.url, as(link.token))).status).toBe(200)

    const aggs = await call('/api/aggregates?site=demo&from=2026-03-01&to=2026-03-31', as(link.token))
    expect(aggs.status).toBe(200)
    const { days } = (await aggs.json()) as { days: { date: string; url: string }[] }
    expect(days.map((d) => d.date)).toEqual(['2026-03-03', '2026-03-04'])
    const agg = await parquetReadObjects({ file: await (await call(days[0]!.url, as(link.token))).arrayBuffer() })
    expect(agg.find((r) => r.dim === 'all')).toMatchObject({ pageviews: 2, visitors: 2 })
    expect((await call(days[0]!.url, as(link.token), 'HEAD')).status).toBe(200)
  })

  it("is refused 403 for another site's files, listing and aggregates, and for signed URLs", async () => {
    const { token } = await createLink()
    const refused = [
      ['GET', `/data/${shopKey}`],
      ['HEAD', `/data/${shopKey}`],
      ['GET', `/data/${encodeURIComponent(shopKey)}`],
      ['GET', `/data/${shopAggregate}`],
      ['GET', `/api/files?site=shop&${RANGE}`],
      ['GET', `/api/files?site=shop&table=dropped&${RANGE}`],
      ['GET', `/api/files?site=demo&site=shop&${RANGE}`],
      ['GET', `/api/files?${RANGE}`],
      ['GET', '/api/aggregates?site=shop'],
      ['GET', `/api/files?site=demo&${RANGE}&signed=1`],
      ['GET', '/api/aggregates?site=demo&signed=1'],
    ]
    for (const [method, path] of refused) {
      const res = await call(path!, as(token), method)
      expect([method, path, res.status]).toEqual([method, path, 403])
      if (method === 'GET')
        expect((await res.json()) as { error: string }).toMatchObject({ error: expect.stringMatching(/site demo only|signed URLs/) })
    }
    // The owner reads the same files.
    expect((await call(`/data/${shopKey}`)).status).toBe(200)
    expect(await keysOf(await call(`/api/files?site=shop&${RANGE}`))).toEqual([shopKey])
  })

  it('is refused once tampered with: another site in its claims, or another signature', async () => {
    const { token } = await createLink()
    const [prefix, body, sig] = token.split('.') as [string, string, string]
    const claims = JSON.parse(new TextDecoder().decode(fromBase64url(body)))
    const forged = `${prefix}.${base64url(new TextEncoder().encode(JSON.stringify({ ...claims, site: 'shop' })))}.${sig}`
    const flipped = `${prefix}.${body}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`
    for (const t of [forged, flipped, `${token}x`, `${prefix}.${body}`, 'fl1.']) {
      for (const path of [`/api/files?site=shop&${RANGE}`, `/api/files?site=demo&${RANGE}`, `/data/${shopKey}`]) {
        const res = await call(path, as(t))
        expect([t, path, res.status]).toEqual([t, path, 403])
        expect(await res.json()).toEqual({ error: 'bad link' })
      }
    }
  })

  it('is refused once revoked, and the other links of the site go on working', async () => {
    const a = await createLink()
    const b = await createLink()
    expect((await call(`/api/files?site=demo&${RANGE}`, as(a.token))).status).toBe(200)
    const del = await call(`/api/sites/demo/links/${a.id}`, OWNER, 'DELETE')
    expect(del.status).toBe(200)
    expect(await del.json()).toEqual({ revoked: a.id })
    for (const path of [
      `/api/files?site=demo&${RANGE}`,
      '/api/aggregates?site=demo',
      `/data/${(await testEnv.LAKE.list({ prefix: 'events/site=demo/' })).objects[0]!.key}`,
    ]) {
      const res = await call(path, as(a.token))
      expect([path, res.status]).toEqual([path, 403])
      expect(await res.json()).toEqual({ error: 'link revoked' })
    }
    expect((await call(`/api/files?site=demo&${RANGE}`, as(b.token))).status).toBe(200)
    const listed = (await (await call('/api/sites/demo/links')).json()) as { links: Link[] }
    expect(listed.links.map((l) => l.id)).not.toContain(a.id)
    expect(listed.links.find((l) => l.id === b.id)!.token).toBe(b.token)
    expect((await call(`/api/sites/demo/links/${a.id}`, OWNER, 'DELETE')).status).toBe(404)
  })

  it('is refused after it expires', async () => {
    const link = await createLink({ expires: new Date(Date.now() + 1500).toISOString() })
    expect(link.exp).toBeGreaterThan(Date.now() / 1000)
    expect((await call(`/api/files?site=demo&${RANGE}`, as(link.token))).status).toBe(200)
    await new Promise((r) => setTimeout(r, link.exp! * 1000 - Date.now() + 50))
    const res = await call(`/api/files?site=demo&${RANGE}`, as(link.token))
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: 'link expired' })
  })

  it('cannot create, list or revoke links, read the sites, or run the cron', async () => {
    const link = await createLink({ sql: true })
    for (const [method, path, body] of [
      ['POST', '/api/sites/demo/links', {}],
      ['GET', '/api/sites/demo/links'],
      ['DELETE', `/api/sites/demo/links/${link.id}`],
      ['GET', '/api/sites'],
      ['POST', '/api/scheduled'],
      ['DELETE', '/api/files'],
    ] as const) {
      const res = await call(path, as(link.token), method, body)
      expect([method, path, res.status]).toEqual([method, path, 403])
      expect(await res.json()).toEqual({ error: 'a shared link only reads its own site' })
    }
    // Still listed, still working: nothing the link asked for happened.
    expect(((await (await call('/api/sites/demo/links')).json()) as { links: Link[] }).links.map((l) => l.id)).toContain(link.id)
    expect((await call(`/api/files?site=demo&${RANGE}`, as(link.token))).status).toBe(200)
  })

  it('refuses bad requests to create links with a reason, and needs the owner token', async () => {
    const cases: [string, unknown, number, string][] = [
      ['/api/sites/nope/links', {}, 404, 'unknown site: nope is not configured (SITES)'],
      ['/api/sites/demo/links', 'not json', 400, 'the body must be JSON: { expires?, sql?, label? }'],
      ['/api/sites/demo/links', [], 400, 'the body must be a JSON object'],
      ['/api/sites/demo/links', { expires: 'soon' }, 400, 'expires must be an ISO 8601 time or epoch milliseconds'],
      ['/api/sites/demo/links', { expires: Date.now() - 1000 }, 400, 'expires is in the past'],
      ['/api/sites/demo/links', { sql: 'yes' }, 400, 'sql must be true or false'],
      ['/api/sites/demo/links', { label: 'x'.repeat(101) }, 400, 'label must be a string of at most 100 characters'],
    ]
    for (const [path, body, status, error] of cases) {
      const res = await call(path, OWNER, 'POST', body)
      expect([path, body, res.status, await res.json()]).toEqual([path, body, status, { error }])
    }
    expect((await call('/api/sites/demo/links', {}, 'POST', {})).status).toBe(401)
    expect((await call('/api/sites/demo/links', as('nope'), 'POST', {})).status).toBe(403)
  })
})

describe('sites', () => {
  it('lists every configured site with its zone and whether it has events', async () => {
    const res = await call('/api/sites')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ sites: [{ id: 'demo', tz: 'UTC', hasEvents: true }] })
    // The API's own headers (lake-api.ts) on these routes too.
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(res.headers.get('Cache-Control')).toBe('no-store')
    expect((await call('/api/sites', {})).status).toBe(401)
  })

  it('answers 404 with a reason for an unknown site on the listings, and lists a site with data', async () => {
    for (const path of [`/api/files?site=nope&${RANGE}`, '/api/aggregates?site=nope', `/api/files?site=nope&table=dropped&${RANGE}`]) {
      const res = await call(path)
      expect([path, res.status, await res.json()]).toEqual([
        path,
        404,
        { error: 'unknown site: nope is not configured (SITES) and has no data' },
      ])
    }
    // shop is not in SITES, but its files are in the lake: still readable. The ledger's _unknown site too.
    expect((await call(`/api/files?site=shop&${RANGE}`)).status).toBe(200)
    expect((await call(`/api/files?site=_unknown&table=dropped&${RANGE}`)).status).toBe(200)
  })
})
