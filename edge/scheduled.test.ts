import { describe, expect, it } from 'vitest'
import { eventRow } from '../warehouse/testing/rows.ts'
import { compact, deleteOldSalts, retention, runJobs } from './scheduled.ts'
import { clearLake, deliver, lakeRows, testEnv } from './test-helpers.ts'
import { DAY } from '../warehouse/time.ts'

async function keysUnder(...prefixes: string[]) {
  const keys: string[] = []
  for (const prefix of prefixes) keys.push(...(await testEnv.LAKE.list({ prefix })).objects.map((o) => o.key))
  return keys
}

describe('cron', () => {
  it('deletes daily salts older than two days and keeps the rest', async () => {
    for (const day of ['2031-05-07', '2031-05-08', '2031-05-09', '2031-05-10']) await testEnv.LAKE.put(`salts/${day}`, 'x')
    await deleteOldSalts(testEnv, Date.UTC(2031, 4, 10, 12))
    const keys = (await testEnv.LAKE.list({ prefix: 'salts/' })).objects.map((o) => o.key)
    expect(keys).toEqual(['salts/2031-05-08', 'salts/2031-05-09', 'salts/2031-05-10'])
  })

  it('runs every job even when one fails, and reports each', async () => {
    let ran = false
    const results = await runJobs(testEnv, Date.now(), {
      broken: async () => {
        throw new Error('boom')
      },
      fine: async () => {
        ran = true
      },
    })
    expect(results).toEqual({ broken: 'failed: boom', fine: 'ok' })
    expect(ran).toBe(true)
  })

  it('deletes whole date partitions older than RETENTION_DAYS, in every table and the dead letters', async () => {
    await clearLake()
    const keys = [
      'events/site=demo/date=2031-01-01/hour=10/a.parquet',
      'events/site=demo/date=2031-01-02/00-23-b.parquet',
      'events/site=demo/date=2031-01-03/hour=00/c.parquet',
      'events/site=shop/date=2031-01-01/hour=10/d.parquet',
      'events/site=shop/date=2031-01-09/hour=10/e.parquet',
      'dropped/site=demo/date=2031-01-01/hour=10/f.parquet',
      'dropped/site=_unknown/date=2031-01-10/hour=01/g.parquet',
      'deadletter/date=2031-01-02/m1.json',
      'deadletter/date=2031-01-04/m2.json',
    ]
    for (const k of keys) await testEnv.LAKE.put(k, 'x')
    const now = Date.UTC(2031, 0, 10, 12)
    await retention({ ...testEnv }, now) // unset: keeps everything
    await retention({ ...testEnv, RETENTION_DAYS: 'soon' }, now)
    expect(await keysUnder('events/', 'dropped/', 'deadletter/')).toHaveLength(keys.length)

    await retention({ ...testEnv, RETENTION_DAYS: '7' }, now) // keeps 2031-01-03 and later
    expect((await keysUnder('events/', 'dropped/', 'deadletter/')).sort()).toEqual([
      'deadletter/date=2031-01-04/m2.json',
      'dropped/site=_unknown/date=2031-01-10/hour=01/g.parquet',
      'events/site=demo/date=2031-01-03/hour=00/c.parquet',
      'events/site=shop/date=2031-01-09/hour=10/e.parquet',
    ])
    expect(await keysUnder('salts/')).not.toHaveLength(0)
    await clearLake()
    await testEnv.LAKE.delete(await keysUnder('deadletter/'))
  })

  it('compacts closed days in the cron, with every other job', async () => {
    await clearLake()
    const day = new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10)
    const t = Date.parse(`${day}T09:00:00Z`)
    await deliver([eventRow({ event_id: 'k1', event_time: t }), eventRow({ event_id: 'k2', event_time: t + 1000 })])
    await deliver([eventRow({ event_id: 'k2', event_time: t + 1000 }), eventRow({ event_id: 'k3', event_time: t + 3 * 3_600_000 })])
    expect(await keysUnder('events/')).toHaveLength(3)
    // The cron runs a little later: parts must have settled for a minute before they are merged.
    const results = await runJobs({ ...testEnv, RETENTION_DAYS: '30' }, Date.now() + 120_000)
    expect(results).toEqual({ deleteOldSalts: 'ok', compact: 'ok', retention: 'ok', replayJournal: 'ok' })
    const keys = await keysUnder('events/')
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatch(new RegExp(`^events/site=demo/date=${day}/00-23-[0-9a-f]{20}\\.parquet$`))
    expect((await lakeRows()).map((r) => r.event_id)).toEqual(['k1', 'k2', 'k3'])
  })

  it('compacts the other dates when one holds an unreadable object, and reports it', async () => {
    await clearLake()
    const good = new Date(Date.now() - 3 * DAY).toISOString().slice(0, 10)
    const bad = new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10)
    for (const [id, day] of [
      ['g1', good],
      ['g2', good],
      ['b1', bad],
    ] as const)
      await deliver([eventRow({ event_id: id, event_time: Date.parse(`${day}T10:00:00Z`) })])
    await testEnv.LAKE.put(`events/site=demo/date=${bad}/hour=11/broken.parquet`, 'not parquet')
    const results = await runJobs({ ...testEnv }, Date.now() + 120_000, { compact: compact() })
    expect(results.compact).toMatch(new RegExp(`^failed: compaction failed for events/demo/${bad}: `))
    expect(await keysUnder(`events/site=demo/date=${good}/`)).toEqual([expect.stringMatching(/\/00-23-[0-9a-f]{20}\.parquet$/)])
    // The broken date is left as it was: nothing deleted, nothing half-merged.
    expect(await keysUnder(`events/site=demo/date=${bad}/`)).toHaveLength(2)
    await testEnv.LAKE.delete(`events/site=demo/date=${bad}/hour=11/broken.parquet`)
    expect((await lakeRows()).map((r) => r.event_id).sort()).toEqual(['b1', 'g1', 'g2'].sort())
    await clearLake()
  })
})
