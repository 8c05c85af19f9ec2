/**
 * A late event (here a server-side event 60 days old, delivered by the real consumer after its day was
 * compacted and aggregated) outside the cron's usual days: the consumer marks the date, the cron compacts it
 * and rebuilds the aggregates of the days it touches, then removes the mark (warehouse/late.ts).
 */
import { parquetReadObjects } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { aggregatePrefix, parseSliceKey } from '../warehouse/lake.ts'
import { lateKey } from '../warehouse/late.ts'
import { eventRow } from '../warehouse/testing/rows.ts'
import { compact } from './scheduled.ts'
import { clearLake, deliver, testEnv } from './test-helpers.ts'
import { DAY } from '../warehouse/time.ts'

const day = new Date(Date.now() - 60 * DAY).toISOString().slice(0, 10)
const at = (h: number, m = 0) => Date.parse(`${day}T00:00:00Z`) + h * 3_600_000 + m * 60_000
const keys = async (prefix: string) => (await testEnv.LAKE.list({ prefix })).objects.map((o) => o.key)
/** Parts written so far count as settled (compaction leaves younger ones for the next run). */
const settled = () => ({ settledAt: Date.now() + 1000 })

async function dayFigures(): Promise<{ pageviews: number; visits: number }> {
  const [key, ...more] = (await keys(aggregatePrefix('demo', day))).filter((k) => !parseSliceKey(k))
  expect(more).toEqual([])
  const rows = await parquetReadObjects({ file: await (await testEnv.LAKE.get(key!))!.arrayBuffer() })
  const all = rows.find((r) => r.dim === 'all')!
  return { pageviews: Number(all.pageviews), visits: Number(all.visits) }
}

describe('late events', () => {
  it('rebuild the aggregate of a day older than the cron looks back', async () => {
    await clearLake()
    for (const prefix of ['aggregates/', 'late/']) for (const k of await keys(prefix)) await testEnv.LAKE.delete(k)
    const v = (c: string) => c.repeat(32)
    await deliver([
      eventRow({ event_id: 'late-a1', event_time: at(9), visitor_id: v('a') }),
      eventRow({ event_id: 'late-b1', event_time: at(15), visitor_id: v('b') }),
    ])
    // The day is closed, compacted and aggregated by the cron three days later.
    await compact(settled())(testEnv, at(72))
    expect(await dayFigures()).toEqual({ pageviews: 2, visits: 2 })
    // (Those two were late by the real clock too: their mark is done with.)
    expect(await keys('late/')).toEqual([])

    // Weeks later, a backend sends one more event of that day.
    await deliver([eventRow({ event_id: 'late-c1', event_time: at(20), visitor_id: v('c') })])
    expect(await keys('late/')).toEqual([lateKey('demo', day)])
    expect((await keys(`events/site=demo/date=${day}/`)).filter((k) => k.includes('/hour='))).toHaveLength(1)
    // Today's cron looks 7 days back; the mark brings it to the late day.
    await compact(settled())(testEnv, Date.now())
    expect((await keys(`events/site=demo/date=${day}/`)).filter((k) => k.includes('/hour='))).toEqual([])
    expect(await dayFigures()).toEqual({ pageviews: 3, visits: 3 })
    expect(await keys('late/')).toEqual([])
    // A second run has nothing left to do.
    await compact(settled())(testEnv, Date.now())
    expect(await dayFigures()).toEqual({ pageviews: 3, visits: 3 })
  })
})
