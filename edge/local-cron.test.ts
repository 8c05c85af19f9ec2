/**
 * `POST /api/scheduled` (local-cron.ts): the local stack's trigger of the cron's jobs. Off unless
 * `LOCAL_SCHEDULED` is `on` (a deploy never sets it); behind the dashboard token; runs the same jobs as
 * `scheduled()`, here compaction of a closed hour.
 */
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { eventRow } from '../warehouse/testing/rows.ts'
import { app } from './index.ts'
import { clearLake, deliver, testEnv, TOKEN } from './test-helpers.ts'

const AUTH = { Authorization: `Bearer ${TOKEN}` }
const post = (path: string, headers: Record<string, string> = AUTH, env = { ...testEnv, LOCAL_SCHEDULED: 'on' }) =>
  app.fetch(new Request(`http://localhost${path}`, { method: 'POST', headers }), env)

describe('POST /api/scheduled', () => {
  it('is not a route of a deployed worker (LOCAL_SCHEDULED unset)', async () => {
    const res = await exports.default.fetch(new Request('http://localhost/api/scheduled', { method: 'POST', headers: AUTH }))
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: 'no route for POST /api/scheduled' })
  })

  it('asks for the dashboard token', async () => {
    expect((await post('/api/scheduled', {})).status).toBe(401)
    expect((await post('/api/scheduled', { Authorization: 'Bearer wrong' })).status).toBe(403)
  })

  it('refuses a time that is not epoch milliseconds', async () => {
    for (const t of ['soon', '-1', '1e12', '12.5', '']) {
      const res = await post(`/api/scheduled?time=${t}`)
      expect(res.status, t).toBe(400)
      expect(await res.json()).toEqual({ error: 'time must be epoch milliseconds' })
    }
  })

  it("runs the cron's jobs at the given time: a closed hour's parts become one merged file", async () => {
    await clearLake()
    const at = Date.UTC(2031, 2, 4, 9, 10)
    await deliver([eventRow({ event_id: 'lc-1', event_time: at }), eventRow({ event_id: 'lc-2', event_time: at + 60_000 })])
    await deliver([eventRow({ event_id: 'lc-3', event_time: at + 120_000 })])
    const prefix = 'events/site=demo/date=2031-03-04/hour=09/'
    expect((await testEnv.LAKE.list({ prefix })).objects).toHaveLength(2)
    const res = await post(`/api/scheduled?time=${Date.UTC(2031, 2, 4, 10, 30)}`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      time: '2031-03-04T10:30:00.000Z',
      jobs: { deleteOldSalts: 'ok', compact: 'ok', retention: 'ok', replayJournal: 'ok' },
    })
    const after = (await testEnv.LAKE.list({ prefix, include: ['customMetadata'] })).objects
    expect(after.map((o) => [o.key.slice(prefix.length, prefix.length + 7), o.customMetadata?.rows])).toEqual([['merged-', '3']])
  })
})
