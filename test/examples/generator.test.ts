/**
 * The generator against the real local stack: live visitors and replayed CSV rows go through POST /e
 * (validation, enrichment with the IP-to-country fallback, queue, Parquet in R2), and the lake is read back
 * with native DuckDB. The server-side example runs as its own process.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { live } from '../../examples/generator/live.ts'
import type { Visitor } from '../../examples/generator/model.ts'
import { replay } from '../../examples/generator/replay.ts'
import { downloadLake, listFiles } from '../helpers/lake.ts'
import { freePort, startStack, waitFor, type Stack } from '../helpers/stack.ts'
import type { NativeLake, Row } from '../../warehouse/native.ts'

let stack: Stack
// A cf object without geo, as `npm start` uses: countries come from the visitors' IPs.
beforeAll(async () => (stack = await startStack({ port: await freePort(), cf: { colo: 'LOCAL' } })))
afterAll(() => stack?.stop())

/** The whole lake (the last 5 days: replayed server-side events keep their recorded times), once it holds `rows`. */
async function lakeWith(rows: number): Promise<NativeLake> {
  const files = () => listFiles(stack, 'demo', Date.now() - 5 * 86_400_000)
  await waitFor(async () => (await files()).reduce((n, f) => n + f.rows, 0) >= rows, 30_000)
  return (await downloadLake(stack, await files())).lake
}
const byId = (rows: Row[]) => new Map(rows.map((r) => [r.event_id as string, r]))

describe('generator on the local stack', () => {
  let before = 0

  it('live: every event of every visitor is accepted, stored once, with its visitor country, device and bot flag', async () => {
    const visitors = new Map<string, Visitor>()
    const statuses: number[] = []
    const r = await live({
      url: stack.url,
      visitors: 24,
      concurrency: 6,
      speed: 2000,
      seed: 'e2e',
      quiet: true,
      onBatch: (events, status, v) => (statuses.push(status), events.forEach((e) => visitors.set(e.id, v))),
    })
    expect(r.problems).toEqual([])
    expect({ failed: r.failed, rejected: r.rejected, accepted: r.accepted }).toEqual({ failed: 0, rejected: 0, accepted: r.sent })
    expect(new Set(statuses)).toEqual(new Set([202]))
    expect(r.sent).toBeGreaterThan(100)

    const lake = await lakeWith(r.sent)
    const rows = await lake.run({
      sql: `SELECT event_id, country, device_type, is_bot, visitor_id, type, name, revenue FROM events_raw`,
      params: [],
    })
    expect(rows).toHaveLength(r.sent)
    for (const row of rows) {
      const v = visitors.get(row.event_id as string)!
      expect(v, String(row.event_id)).toBeDefined()
      expect(row.country).toBe(v.country) // CF-Connecting-IP -> the geo database in R2
      expect(row.is_bot).toBe(v.device === 'bot')
      if (v.device !== 'bot') expect(row.device_type).toBe(v.device)
    }
    expect(new Set(rows.map((r) => r.country)).size).toBeGreaterThan(4)
    expect(new Set(rows.map((r) => r.visitor_id)).size).toBe(new Set([...visitors.values()].map((v) => v.index)).size)
    before = rows.length
  })

  it('replay: keeps the recorded gaps (clamped), or a fixed delay; with the API key, the recorded times', async () => {
    const t0 = Date.now() - 3 * 86_400_000
    const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
    const csv = [
      'timestamp,ip,userAgent,productId,category,name,revenue,currency,userId',
      `${new Date(t0).toISOString()},2.30.1.1,"${ua}",,,,,,`,
      `${t0 + 900},3.3.1.1,"${ua}",tea-02,tea,,,,`,
      `${t0 + 400},1.33.1.1,"${ua}",tea-02,tea,add_to_cart,,,`, // earlier than the row before: no wait
      `${t0 + 1900},2.96.1.1,"${ua}",,,order,9.9,EUR,user-7`,
    ].join('\n')
    const timed = await replay({ csv, url: stack.url, keepTiming: true, quiet: true })
    const fixed = await replay({ csv, url: stack.url, delayMs: 300, quiet: true })
    const server = await replay({ csv, url: stack.url, delayMs: 0, key: 'demo-server-key', quiet: true })
    for (const r of [timed, fixed, server]) expect(r).toMatchObject({ rows: 4, accepted: 4, rejected: 0, failed: 0 })

    const lake = await lakeWith(before + 12)
    const rows = byId(
      await lake.run({
        sql: `SELECT event_id, epoch_ms(received_time) AS received, epoch_ms(event_time) AS time, country, product_id, name, revenue, user_id FROM events_raw`,
        params: [],
      }),
    )
    const gaps = (run: string) =>
      [1, 2, 3].map((i) => Number(rows.get(`${run}-000${i}`)!.received) - Number(rows.get(`${run}-000${i - 1}`)!.received))
    const near = (actual: number[], expected: number[]) =>
      actual.forEach((a, i) => expect(Math.abs(a - expected[i]!), `${actual} vs ${expected}`).toBeLessThan(250))
    near(gaps(timed.run), [900, 0, 1500])
    near(gaps(fixed.run), [300, 300, 300])
    expect([0, 1, 2, 3].map((i) => rows.get(`${timed.run}-000${i}`)!.country)).toEqual(['DE', 'US', 'JP', 'GB'])
    expect(rows.get(`${timed.run}-0003`)).toMatchObject({ name: 'order', revenue: 9.9, user_id: 'user-7' })
    expect(rows.get(`${timed.run}-0002`)).toMatchObject({ name: 'add_to_cart', product_id: 'tea-02' })
    // Server-side: the recorded timestamps and IPs are kept.
    expect([0, 1, 2, 3].map((i) => Number(rows.get(`${server.run}-000${i}`)!.time))).toEqual([t0, t0 + 900, t0 + 400, t0 + 1900])
    expect(rows.get(`${server.run}-0000`)!.country).toBe('DE')
    before += 12
  })

  it('the server-side example sends an authenticated event that lands in the lake', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, '../../examples/server/send-event.mjs')], {
      env: { ...process.env, FOOTFALL_URL: stack.url, FOOTFALL_KEY: 'demo-server-key' },
    })
    expect(stdout).toContain('"accepted":1')
    const lake = await lakeWith(before + 1)
    const [row] = await lake.run({ sql: `SELECT * FROM events_raw WHERE name = 'payment_captured'`, params: [] })
    expect(row).toMatchObject({
      type: 'event',
      user_id: 'user-demo',
      revenue: 54.9,
      currency: 'EUR',
      country: 'GB',
      browser: 'Safari',
      is_bot: false,
      path: '/demo/order',
    })
  })
})
