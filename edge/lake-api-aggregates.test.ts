/**
 * The aggregate tier inside workerd on Miniflare's R2: the cron's compaction job builds each closed day's
 * aggregate after compacting it (edge/scheduled.ts), in the site's zone (TIMEZONES); `/api/aggregates` lists
 * them in one request and `/data/` serves them with the same auth as every lake file.
 */
import { exports } from 'cloudflare:workers'
import { parquetReadObjects } from 'hyparquet'
import { beforeAll, describe, expect, it } from 'vitest'
import { eventRow } from '../warehouse/testing/rows.ts'
import { compact } from './scheduled.ts'
import { clearLake, deliver, testEnv, TOKEN } from './test-helpers.ts'

const at = (d: number, h: number, m = 0) => Date.UTC(2026, 1, d, h, m)
const get = (path: string, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) =>
  exports.default.fetch(new Request(`http://localhost${path}`, { headers }))

interface Listed {
  tz: string
  days: {
    date: string
    key: string
    url: string
    bytes: number
    signedUrl?: string
    slice?: { key: string; url: string; signedUrl?: string }
  }[]
}

describe('lake API: aggregates', () => {
  beforeAll(async () => {
    await clearLake()
    const v = (id: string) => id.repeat(32)
    await deliver([
      eventRow({ event_id: 'a1', event_time: at(3, 9), visitor_id: v('a'), path: '/' }),
      eventRow({ event_id: 'a2', event_time: at(3, 9, 5), visitor_id: v('a'), path: '/shoes' }),
      eventRow({ event_id: 'b1', event_time: at(3, 14), visitor_id: v('b'), path: '/' }),
      eventRow({ event_id: 'c1', event_time: at(4, 10), visitor_id: v('c'), path: '/' }),
      eventRow({ event_id: 'x1', event_time: at(3, 9), visitor_id: v('d'), path: '/', is_bot: true, bot_reason: 'ua' }),
    ])
    // The cron's compaction job, as it runs on Feb 5 at 03:00 (Feb 3 and 4 closed).
    await compact({ settledAt: Date.now() + 1000 })(testEnv, at(5, 3))
  })

  it('the cron builds each closed day once, listed with the zone in one request', async () => {
    const res = await get('/api/aggregates?site=demo&from=2026-02-01&to=2026-02-28')
    expect(res.status).toBe(200)
    const body = (await res.json()) as Listed
    expect(body.tz).toBe('UTC')
    expect(body.days.map((d) => d.date)).toEqual(['2026-02-03', '2026-02-04'])
    expect(body.days[0]!.key).toMatch(/^aggregates\/site=demo\/date=2026-02-03\/UTC\.[0-9a-f]{20}\.parquet$/)
    // A second run changes nothing.
    await compact({ settledAt: Date.now() + 1000 })(testEnv, at(5, 3, 15))
    expect(((await (await get('/api/aggregates?site=demo')).json()) as Listed).days.map((d) => d.key)).toEqual(body.days.map((d) => d.key))
  })

  it("serves a day's aggregate (bearer or signed URL) with its figures, bots left out", async () => {
    const { days } = (await (await get('/api/aggregates?site=demo&from=2026-02-03&to=2026-02-03&signed=1')).json()) as Listed
    expect(days).toHaveLength(1)
    expect((await get(days[0]!.url, {})).status).toBe(401)
    const signed = await get(days[0]!.signedUrl!, {})
    expect(signed.status).toBe(200)
    const rows = await parquetReadObjects({ file: await (await get(days[0]!.url)).arrayBuffer() })
    const all = rows.find((r) => r.dim === 'all')!
    expect([all.visitors, all.pageviews, all.visits, all.bounces]).toEqual([2, 3, 2, 1])
    expect(rows.filter((r) => r.dim === 'path').map((r) => [r.value, r.pageviews, r.visitors])).toEqual([
      ['/', 2, 2],
      ['/shoes', 1, 1],
    ])
  })

  it("a closed month: one file, listed for each of its days, with every day's rows", async () => {
    await deliver([eventRow({ event_id: 'e1', event_time: at(28, 10), visitor_id: 'e'.repeat(32), path: '/late-feb' })])
    // March 2nd, 03:00: February's last days are built, the empty days between by the backfill, then the month.
    await compact({ settledAt: Date.now() + 1000 })(testEnv, at(30, 3))
    const { days } = (await (await get('/api/aggregates?site=demo&from=2026-02-01&to=2026-02-28')).json()) as Listed
    expect(days.map((d) => d.date)).toEqual(Array.from({ length: 26 }, (_, i) => `2026-02-${String(i + 3).padStart(2, '0')}`))
    expect(new Set(days.map((d) => d.key)).size).toBe(1)
    expect(days[0]!.key).toMatch(/^aggregates\/site=demo\/month=2026-02\/UTC\.[0-9a-f]{20}\.parquet$/)
    const rows = await parquetReadObjects({ file: await (await get(days[0]!.url)).arrayBuffer() })
    const all = rows.filter((r) => r.dim === 'all')
    expect(all.reduce((n, r) => n + r.pageviews, 0)).toBe(5)
    expect(new Set(all.map((r) => Number(r.day))).size).toBeGreaterThanOrEqual(3)
  })

  it("lists a day's slice of one filter dimension, served like its aggregate, with the rows under each value", async () => {
    const { days } = (await (await get('/api/aggregates?site=demo&from=2026-02-03&to=2026-02-03&slice=path&signed=1')).json()) as Listed
    const slice = days[0]!.slice!
    expect(slice.key).toBe(days[0]!.key.replace(/\.parquet$/, '.by-path.parquet'))
    expect((await get(slice.url, {})).status).toBe(401)
    expect((await get(slice.signedUrl!, {})).status).toBe(200)
    const rows = await parquetReadObjects({ file: await (await get(slice.url)).arrayBuffer() })
    // Under "path is /shoes": visitor a's visit (both of its pageviews), one of its pageviews.
    const shoes = rows.find((r) => r.fvalue === '/shoes' && r.dim === 'all')!
    expect([shoes.fdim, shoes.visitors, shoes.visits, shoes.pageviews]).toEqual(['path', 1, 1, 1])
    const home = rows.find((r) => r.fvalue === '/' && r.dim === 'all')!
    expect([home.visitors, home.visits, home.pageviews]).toEqual([2, 2, 2])
    // Without `slice` the listing names none.
    const plain = (await (await get('/api/aggregates?site=demo&from=2026-02-03&to=2026-02-03')).json()) as Listed
    expect(plain.days[0]!.slice).toBeUndefined()
  })

  it('refuses bad parameters with a reason', async () => {
    const bad = await get('/api/aggregates?site=demo&slice=props')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toMatch(/^slice must be one of path, country/)
    for (const q of ['', 'site=Demo', 'site=demo&from=2026-2-1', 'site=demo&to=yesterday']) {
      const res = await get(`/api/aggregates?${q}`)
      expect(res.status, q).toBe(400)
      expect(((await res.json()) as { error: string }).error).toMatch(/site|dates/)
    }
    expect((await get('/api/aggregates?site=demo', {})).status).toBe(401)
  })
})
