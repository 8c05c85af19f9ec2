import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { beforeEach, describe, expect, it } from 'vitest'
import worker from './index.ts'
import { decodeMeta } from '../warehouse/lake.ts'
import type { EventRow } from '../warehouse/schema.ts'
import { clearLake, lakeRows, testEnv } from './test-helpers.ts'

const T0 = Date.UTC(2026, 10, 24, 23, 59, 58) // two seconds before midnight UTC

function row(id: string, eventTime: number, extra: Partial<EventRow> = {}): EventRow {
  return {
    event_id: id, site: 'demo', type: 'pageview', name: null, event_time: eventTime, client_time: eventTime,
    received_time: eventTime + 5, visitor_id: 'v1', user_id: null, url: 'http://localhost/demo/', host: 'localhost',
    path: '/demo/', title: 'Démo ✓', referrer: null, referrer_host: null, channel: 'direct', utm_source: null,
    utm_medium: null, utm_campaign: null, utm_term: null, utm_content: null, props: { plan: 'pro', n: 3 },
    product_id: null, category: null, revenue: 12.5, currency: 'EUR', element_tag: null, element_text: null,
    element_href: null, engaged_ms: 1200, scroll_depth: 80, screen: '1280x720', language: 'de-DE', country: 'DE',
    region: 'Berlin', city: 'Berlin', continent: 'EU', timezone: 'Europe/Berlin', asn: 3320, colo: 'TXL',
    browser: 'Chrome', browser_version: '126.0', os: 'Linux', os_version: null, device_type: 'desktop',
    is_bot: false, bot_reason: null, ...extra,
  }
}

async function deliver(rows: EventRow[]) {
  const batch = createMessageBatch<EventRow>('footfall-events', rows.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })))
  const ctx = createExecutionContext()
  await worker.queue!(batch, testEnv, ctx)
  return getQueueResult(batch, ctx)
}

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
    expect(decodeMeta(list.objects[0]!.customMetadata)).toEqual({ rows: 2, minTime: T0, maxTime: T0 + 1000, schema: 1 })

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
