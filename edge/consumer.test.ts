import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { beforeEach, describe, expect, it } from 'vitest'
import { decodeMeta } from '../warehouse/lake.ts'
import { SCHEMA_VERSION } from '../warehouse/schema.ts'
import { eventRow } from '../warehouse/testing/rows.ts'
import { DEAD_LETTER_PREFIX } from '../warehouse/lake.ts'
import { consume } from './consumer.ts'
import type { Env } from './env.ts'
import { clearLake, deliver, lakeRows, testEnv } from './test-helpers.ts'

/** Runs the consumer on raw message bodies with fixed message ids (as a redelivery keeps them), on `env`. */
async function deliverBodies(bodies: unknown[], env: Env = testEnv, attempts = 1) {
  const batch = createMessageBatch<unknown>(
    'footfall-events',
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
  )
  const ctx = createExecutionContext()
  await consume(batch, env)
  return getQueueResult(batch, ctx)
}

/** The lake, except that `put` throws for keys matching `fail`: an R2 write failing mid-way through a batch. */
function failingLake(fail: (key: string) => boolean): R2Bucket {
  const lake = testEnv.LAKE
  return new Proxy(lake, {
    get(target, prop) {
      if (prop === 'put') {
        return async (key: string, ...rest: Parameters<R2Bucket['put']> extends [string, ...infer R] ? R : never) => {
          if (fail(key)) throw new Error('injected R2 failure')
          return target.put(key, ...rest)
        }
      }
      const v = Reflect.get(target, prop) as unknown
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
}

async function keys(prefix = 'events/') {
  return (await testEnv.LAKE.list({ prefix })).objects.map((o) => o.key)
}

const ids = (rows: Record<string, unknown>[]) => rows.map((r) => r.event_id).sort()

const T0 = Date.UTC(2026, 10, 24, 23, 59, 58) // two seconds before midnight UTC

const row = (id: string, eventTime: number) =>
  eventRow({
    event_id: id,
    event_time: eventTime,
    title: 'Démo ✓',
    props: { plan: 'pro', n: 3 },
    revenue: 12.5,
    currency: 'EUR',
    asn: 3320,
    country: 'DE',
    browser: 'Chrome',
  })

describe('queue consumer', () => {
  beforeEach(clearLake)

  it('writes one Parquet file per hour partition, readable with every column typed', async () => {
    const result = await deliver([row('a1', T0), row('a2', T0 + 1000), row('b1', T0 + 3000)])
    expect(result.ackAll).toBe(true)
    expect(result.retryMessages).toEqual([])

    const list = await testEnv.LAKE.list({ prefix: 'events/', include: ['customMetadata'] })
    const keys = list.objects.map((o) => o.key)
    expect(keys).toHaveLength(2)
    expect(keys[0]).toMatch(/^events\/site=demo\/date=2026-11-24\/hour=23\/[0-9a-f]{20}\.parquet$/)
    expect(keys[1]).toMatch(/^events\/site=demo\/date=2026-11-25\/hour=00\/[0-9a-f]{20}\.parquet$/)
    expect(decodeMeta(list.objects[0]!.customMetadata)).toEqual({ rows: 2, minTime: T0, maxTime: T0 + 1000, schema: SCHEMA_VERSION })

    const rows = await lakeRows()
    expect(rows.map((r) => r.event_id).sort()).toEqual(['a1', 'a2', 'b1'])
    const a1 = rows.find((r) => r.event_id === 'a1')!
    expect(a1.event_time).toEqual(new Date(T0))
    expect(a1.title).toBe('Démo ✓')
    expect(a1.props).toEqual({ plan: 'pro', n: 3 })
    expect(a1.asn).toBe(3320)
    expect(a1.revenue).toBe(12.5)
    expect(a1.is_bot).toBe(false)
    expect(a1.user_id).toBeNull()
  })

  it('rewrites the same object when a batch is redelivered, and drops duplicates within a batch', async () => {
    await deliver([row('c1', T0), row('c2', T0), row('c1', T0)])
    const first = (await testEnv.LAKE.list({ prefix: 'events/' })).objects
    const firstBytes = new Uint8Array(await (await testEnv.LAKE.get(first[0]!.key))!.arrayBuffer())
    await new Promise((r) => setTimeout(r, 5))
    // Redelivered in another order: the same key, the same bytes, a newer upload.
    await deliver([row('c2', T0), row('c1', T0), row('c1', T0)])
    const list = await testEnv.LAKE.list({ prefix: 'events/' })
    expect(list.objects).toHaveLength(1)
    expect(list.objects[0]!.key).toBe(first[0]!.key)
    expect(list.objects[0]!.uploaded.getTime()).toBeGreaterThan(first[0]!.uploaded.getTime())
    expect(new Uint8Array(await (await testEnv.LAKE.get(first[0]!.key))!.arrayBuffer())).toEqual(firstBytes)
    expect((await lakeRows()).map((r) => r.event_id).sort()).toEqual(['c1', 'c2'])
  })

  it('keeps, of copies within a batch, the one received first, per site (warehouse/dedup.ts)', async () => {
    // The tracker resent the batch (no answer the first time): the same event, received 900 ms later with
    // another engagement; a second site happens to use the same id.
    const first = { ...row('r1', T0 - 5000), received_time: T0 - 4000, engaged_ms: 100 }
    const resent = { ...row('r1', T0 - 5000), received_time: T0 - 3100, engaged_ms: 999 }
    const shop = { ...row('r1', T0 - 5000), site: 'shop', received_time: T0 - 3000, engaged_ms: 7 }
    for (const order of [
      [resent, first, shop],
      [first, resent, shop],
    ]) {
      await clearLake()
      expect((await deliver(order)).retryMessages).toEqual([])
      const rows = await lakeRows()
      expect(rows.map((r) => [r.site, r.event_id, r.engaged_ms]).sort()).toEqual([
        ['demo', 'r1', 100],
        ['shop', 'r1', 7],
      ])
    }
  })

  it('writes one file per partition when a batch spans sites and hours', async () => {
    const other = (id: string, t: number) => ({ ...row(id, t), site: 'shop' })
    const result = await deliver([
      row('p1', T0),
      row('p2', T0 + 5000),
      other('p3', T0),
      other('p4', T0 + 3_600_000),
      row('p5', T0 + 7_200_000),
    ])
    expect(result.retryMessages).toEqual([])
    const got = (await keys()).map((k) => k.replace(/[0-9a-f]{20}/, 'P'))
    expect(got).toEqual([
      'events/site=demo/date=2026-11-24/hour=23/P.parquet',
      'events/site=demo/date=2026-11-25/hour=00/P.parquet',
      'events/site=demo/date=2026-11-25/hour=01/P.parquet',
      'events/site=shop/date=2026-11-24/hour=23/P.parquet',
      'events/site=shop/date=2026-11-25/hour=00/P.parquet',
    ])
    expect(ids(await lakeRows())).toEqual(['p1', 'p2', 'p3', 'p4', 'p5'])
  })

  it('retries only the partitions that failed mid-way, and a retry of the whole batch lands each event once', async () => {
    const bodies = [row('f1', T0), row('f2', T0 + 3000), row('f3', T0 + 4000), row('f1', T0)].map((event) => ({ event }))
    const broken = { ...testEnv, LAKE: failingLake((k) => k.includes('hour=00')) }
    const first = await deliverBodies(bodies, broken)
    // f1 (twice) sits in hour 23 and was written; f2 and f3 sit in hour 00, whose write failed.
    expect(first.explicitAcks.sort()).toEqual(['m0', 'm3'])
    expect(first.retryMessages.map((r: { msgId: string }) => r.msgId).sort()).toEqual(['m1', 'm2'])
    expect(ids(await lakeRows())).toEqual(['f1'])
    const before = await keys()

    // The queue redelivers the retried messages; an ack lost on the way would bring back the whole batch.
    await new Promise((r) => setTimeout(r, 1100)) // R2 refuses a second write to one key within a second
    const retried = await deliverBodies([bodies[1], bodies[2]], testEnv, 2)
    expect(retried.retryMessages).toEqual([])
    const whole = await deliverBodies(bodies, testEnv, 2)
    expect(whole.ackAll).toBe(true)
    expect(whole.retryMessages).toEqual([])
    const after = await keys()
    expect(after).toHaveLength(2)
    expect(after).toEqual(expect.arrayContaining(before))
    expect(ids(await lakeRows())).toEqual(['f1', 'f2', 'f3'])
  })

  it("takes a request's events of one partition as one message: acked or retried with its file, redelivered to the same key", async () => {
    // What edge/enqueue.ts sends: one message per request and partition (here two requests, three messages).
    const bodies = [
      { events: [row('r1', T0), row('r2', T0 + 1000)] },
      { events: [row('r3', T0 + 3000)] },
      { events: [row('r4', T0 + 1500)] },
    ]
    const broken = { ...testEnv, LAKE: failingLake((k) => k.includes('hour=00')) }
    const first = await deliverBodies(bodies, broken)
    expect(first.explicitAcks.sort()).toEqual(['m0', 'm2'])
    expect(first.retryMessages.map((r: { msgId: string }) => r.msgId)).toEqual(['m1'])
    expect(ids(await lakeRows())).toEqual(['r1', 'r2', 'r4'])
    await new Promise((r) => setTimeout(r, 1100)) // R2 refuses a second write to one key within a second
    const whole = await deliverBodies(bodies, testEnv, 2)
    expect(whole.ackAll).toBe(true)
    expect(await keys()).toHaveLength(2)
    expect(ids(await lakeRows())).toEqual(['r1', 'r2', 'r3', 'r4'])
  })

  it('refuses as poison a message whose events span two partitions, or hold none', async () => {
    const result = await deliverBodies([{ events: [row('s1', T0), row('s2', T0 + 3000)] }, { events: [] }, { events: [row('s3', T0)] }])
    expect(result.retryMessages.map((r: { msgId: string }) => r.msgId).sort()).toEqual(['m0', 'm1'])
    expect(result.explicitAcks).toEqual(['m2'])
    expect(ids(await lakeRows())).toEqual(['s3'])
  })

  it('retries a poison message without holding back the rest of its batch', async () => {
    const result = await deliverBodies([
      'not json at all',
      { events: 'none' },
      { event: row('g1', T0) },
      { something: 'else' },
      { events: [row('g2', T0), row('g3', T0 + 3000)] },
    ])
    expect(result.retryMessages.map((r: { msgId: string }) => r.msgId).sort()).toEqual(['m0', 'm1', 'm3', 'm4'])
    expect(result.explicitAcks).toEqual(['m2'])
    expect(ids(await lakeRows())).toEqual(['g1'])
  })

  it('drops a row the lake cannot store alone: the rest of its message lands, the row is in the drop ledger with its reason', async () => {
    const T = Date.UTC(2026, 10, 24, 10, 0)
    const bodies = [
      { events: [row('w1', T), { ...row('bad-engaged', T + 1), engaged_ms: 2 ** 31 }, row('w2', T + 2)] },
      { events: [{ ...row('bad-time', T + 3), client_time: 9e15 }, row('w3', T + 4)] },
      { event: { ...row('bad-type', T + 5), type: null } },
      { event: { ...row('bad-json', T + 6), props: { k: '\ud83d' } } },
      { events: [row('w4', T + 7), { ...row('bad-asn', T + 8), asn: 2 ** 40 }, { ...row('bad-time2', T + 9), event_time: 'yesterday' }] },
      { events: [{ ...row('bad-site', T + 10), site: 'Not/A Site', engaged_ms: -1.5 }] },
    ]
    const result = await deliverBodies(bodies)
    expect(result.retryMessages).toEqual([])
    expect(result.ackAll).toBe(true)
    expect(ids(await lakeRows())).toEqual(['w1', 'w2', 'w3', 'w4'])
    const dropped = (await lakeRows('dropped/')).map((r) => [r.site, r.reason, r.field, r.detail, r.events]).sort()
    expect(dropped).toEqual(
      [
        ['demo', 'unwritable', 'asn', 'asn: not a INT32 (event bad-asn)', 1],
        ['demo', 'unwritable', 'client_time', 'client_time: not a TIMESTAMP (event bad-time)', 1],
        ['demo', 'unwritable', 'engaged_ms', 'engaged_ms: not a INT32 (event bad-engaged)', 1],
        ['demo', 'unwritable', 'event_time', 'event_time: not a TIMESTAMP (event bad-time2)', 1],
        ['demo', 'unwritable', 'props', 'props: not a JSON (event bad-json)', 1],
        ['demo', 'unwritable', 'type', 'type: required (event bad-type)', 1],
        ['_unknown', 'unwritable', 'engaged_ms', 'engaged_ms: not a INT32 (event bad-site)', 1],
      ].sort(),
    )
    // A redelivery writes the same ledger rows to the same keys: counted once.
    const before = [...(await keys()), ...(await keys('dropped/'))]
    await new Promise((r) => setTimeout(r, 1100)) // R2 refuses a second write to one key within a second
    expect((await deliverBodies(bodies, testEnv, 2)).ackAll).toBe(true)
    expect([...(await keys()), ...(await keys('dropped/'))]).toEqual(before)
    expect((await lakeRows('dropped/')).length).toBe(7)
    expect(await keys(DEAD_LETTER_PREFIX)).toEqual([])
  })

  it('retries a message whose events landed but whose ledger row did not, and lands it once', async () => {
    const T = Date.UTC(2026, 10, 24, 11, 0)
    const bodies = [{ events: [row('v1', T), { ...row('v-bad', T + 1), scroll_depth: 2 ** 31 }] }, { events: [row('v2', T + 2)] }]
    const first = await deliverBodies(bodies, { ...testEnv, LAKE: failingLake((k) => k.startsWith('dropped/')) })
    expect(first.retryMessages.map((r: { msgId: string }) => r.msgId)).toEqual(['m0'])
    expect(first.explicitAcks).toEqual(['m1'])
    await new Promise((r) => setTimeout(r, 1100))
    expect((await deliverBodies([bodies[0]], testEnv, 2)).ackAll).toBe(true)
    // v1 now sits in two parts (the first batch's and the retry's), as after any partial retry: readers and
    // compaction keep one row per event id.
    expect([...new Set(ids(await lakeRows()))]).toEqual(['v1', 'v2'])
    expect((await lakeRows('dropped/')).map((r) => [r.reason, r.field, r.events])).toEqual([['unwritable', 'scroll_depth', 1]])
  })

  it('moves a poison message to the dead-letter queue after max_retries, kept in R2 with its problem', { timeout: 60_000 }, async () => {
    // Not a message of ours at all (rows the lake cannot store are dropped to the ledger instead: above).
    const poison = { events: { dead1: row('dead1', T0) } }
    await testEnv.EVENTS.send(poison as never)
    await testEnv.EVENTS.send({ event: row('alive1', T0) })
    let records: { queue: string; problem: string; body: string }[] = []
    for (let i = 0; i < 400 && !records.length; i++) {
      const list = await testEnv.LAKE.list({ prefix: DEAD_LETTER_PREFIX })
      records = await Promise.all(
        list.objects.map(async (o) => (await (await testEnv.LAKE.get(o.key))!.json()) as (typeof records)[number]),
      )
      records = records.filter((r) => r.body.includes('dead1'))
      if (!records.length) await new Promise((r) => setTimeout(r, 100))
    }
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ queue: 'footfall-events', problem: 'events is not a list of events' })
    expect(JSON.parse(records[0]!.body)).toEqual(poison)
    // The good message of the same send landed in the lake, once.
    expect(ids(await lakeRows()).filter((id) => id === 'alive1')).toEqual(['alive1'])
  })
})
