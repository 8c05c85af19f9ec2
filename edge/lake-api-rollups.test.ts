/**
 * `/api/files?rollups=1` inside workerd on Miniflare's R2: each compacted day file of events lists its
 * pageview rollup (warehouse/rollup.ts), served by `/data/` with the same auth (bearer or signed URL) and
 * holding that file's pageviews per minute; parts and orphan rollups get none.
 */
import { exports } from 'cloudflare:workers'
import { parquetReadObjects } from 'hyparquet'
import { beforeAll, describe, expect, it } from 'vitest'
import { compactDate } from '../warehouse/compact.ts'
import { eventRow } from '../warehouse/testing/rows.ts'
import { clearLake, deliver, testEnv, TOKEN } from './test-helpers.ts'

const at = (d: number, h: number, m = 0, s = 0) => Date.UTC(2026, 1, d, h, m, s)
const get = (path: string, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) =>
  exports.default.fetch(new Request(`http://localhost${path}`, { headers }))

interface Listed {
  key: string
  url: string
  rollup?: { key: string; url: string; bytes: number; signedUrl?: string }
}
const list = async (q: string) => ((await (await get(`/api/files?site=demo&${q}`)).json()) as { files: Listed[] }).files

describe('lake API: pageview rollups', () => {
  beforeAll(async () => {
    await clearLake()
    // Feb 3 (closed, compacted): pageviews in two minutes, a bot, a custom event, a redelivered batch.
    const day = [
      eventRow({ event_id: 'p1', event_time: at(3, 9, 0, 5) }),
      eventRow({ event_id: 'p2', event_time: at(3, 9, 0, 59) }),
      eventRow({ event_id: 'p3', event_time: at(3, 14, 30) }),
      eventRow({ event_id: 'b1', event_time: at(3, 9, 0, 30), is_bot: true, bot_reason: 'ua' }),
      eventRow({ event_id: 'e1', event_time: at(3, 9, 0, 10), type: 'event', name: 'signup' }),
    ]
    await deliver(day.slice(0, 3))
    await deliver(day.slice(1))
    await compactDate(testEnv.LAKE, 'demo', '2026-02-03', { now: at(5, 0), settledAt: Date.now() + 1000 })
    // Feb 4: a part only (not compacted): no rollup.
    await deliver([eventRow({ event_id: 'q1', event_time: at(4, 10) })])
    // A rollup whose events file does not exist (a compaction cut off before its day file): never listed.
    await testEnv.LAKE.put('rollups/site=demo/date=2026-02-04/00-23-deadbeef.parquet', new Uint8Array([1, 2, 3]))
  })

  it('lists each compacted day file with its rollup, only when asked, and parts without one', async () => {
    const plain = await list('from=2026-02-03T00:00:00Z&to=2026-02-04T23:59:59.999Z')
    expect(plain).toHaveLength(2)
    expect(plain.every((f) => f.rollup === undefined)).toBe(true)

    const files = await list('from=2026-02-03T00:00:00Z&to=2026-02-04T23:59:59.999Z&rollups=1')
    expect(files.map((f) => f.key.replace(/[0-9a-f]{20}/, 'P'))).toEqual([
      'events/site=demo/date=2026-02-03/00-23-P.parquet',
      'events/site=demo/date=2026-02-04/hour=10/P.parquet',
    ])
    const [day, part] = files
    expect(day!.rollup).toEqual({
      key: day!.key.replace(/^events\//, 'rollups/'),
      url: `/data/${day!.key.replace(/^events\//, 'rollups/')}`,
      bytes: expect.any(Number),
    })
    expect(part!.rollup).toBeUndefined()
    // The dropped table has no rollups.
    expect((await get('/api/files?site=demo&table=dropped&rollups=1&from=2026-02-03T00:00:00Z&to=2026-02-04T00:00:00Z')).status).toBe(200)
  })

  it("serves a rollup like any lake file (bearer token), with the day file's pageviews per minute, bots apart", async () => {
    const [day] = await list('from=2026-02-03T00:00:00Z&to=2026-02-03T23:59:59.999Z&rollups=1')
    expect((await get(day!.rollup!.url, {})).status).toBe(401)
    const res = await get(day!.rollup!.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('Cache-Control')).toBe('private, max-age=31536000, immutable')
    const buf = await res.arrayBuffer()
    expect(buf.byteLength).toBe(day!.rollup!.bytes)
    const rows = await parquetReadObjects({ file: buf })
    expect(rows.map((r) => [(r.minute as Date).toISOString(), r.is_bot, r.pageviews])).toEqual([
      ['2026-02-03T09:00:00.000Z', false, 2],
      ['2026-02-03T09:00:00.000Z', true, 1],
      ['2026-02-03T14:30:00.000Z', false, 1],
    ])
    expect((await get('/data/rollups/site=demo/date=2026-02-03/nope.parquet')).status).toBe(404)
  })

  it('signs the rollup URL too when asked', async () => {
    const [day] = await list('from=2026-02-03T00:00:00Z&to=2026-02-03T23:59:59.999Z&rollups=1&signed=1')
    expect(day!.rollup!.signedUrl).toMatch(
      /^\/data\/rollups\/site=demo\/date=2026-02-03\/00-23-[0-9a-f]{20}\.parquet\?exp=\d+&sig=[\w-]{43}$/,
    )
    const res = await get(day!.rollup!.signedUrl!, {})
    expect(res.status).toBe(200)
    expect((await res.arrayBuffer()).byteLength).toBe(day!.rollup!.bytes)
  })
})
