import { beforeEach, describe, expect, it } from 'vitest'
import { decodeMeta } from '../warehouse/lake.ts'
import { SCHEMA_VERSION } from '../warehouse/schema.ts'
import { eventRow } from '../warehouse/testing/rows.ts'
import { clearLake, deliver, lakeRows, testEnv } from './test-helpers.ts'

const T0 = Date.UTC(2026, 10, 24, 23, 59, 58) // two seconds before midnight UTC

const row = (id: string, eventTime: number) =>
  eventRow({
    event_id: id, event_time: eventTime, title: 'Démo ✓', props: { plan: 'pro', n: 3 }, revenue: 12.5, currency: 'EUR',
    asn: 3320, country: 'DE', browser: 'Chrome',
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
    await deliver([row('c1', T0), row('c2', T0), row('c1', T0)])
    const list = await testEnv.LAKE.list({ prefix: 'events/' })
    expect(list.objects).toHaveLength(1)
    expect((await lakeRows()).map((r) => r.event_id).sort()).toEqual(['c1', 'c2'])
  })
})
