import { describe, expect, it } from 'vitest'
import { deleteOldSalts, runJobs } from './scheduled.ts'
import { testEnv } from './test-helpers.ts'

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
      broken: async () => { throw new Error('boom') },
      fine: async () => { ran = true },
    })
    expect(results).toEqual({ broken: 'failed: boom', fine: 'ok' })
    expect(ran).toBe(true)
  })
})
