/**
 * The collector over two event queues (edge/queues.ts), inside workerd with Miniflare's real Queues and R2
 * (edge/multi-queue.wrangler.toml: producers EVENTS and EVENTS_2, this worker consuming both). Each queue is
 * the real binding, wrapped to record what it is sent or to refuse, as Queues does over its rate.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Env, LakeMessage } from './env.ts'
import { app } from './index.ts'
import { eventQueues, queueIndex } from './queues.ts'
import { partitionOf } from '../warehouse/lake.ts'
import { batchOf, CHROME_UA, clearLake, installGeoDb, lakeRows, testEnv, waitForLake, wireEventAt } from './test-helpers.ts'
import { HOUR } from '../warehouse/time.ts'

// A closed day (server-side events may be up to 400 days old): 24 hours, 24 partitions.
const day = Math.floor(Date.now() / 86_400_000 - 3) * 86_400_000
const hours = Array.from({ length: 24 }, (_, h) => day + h * HOUR + 60_000)

/** The real queue, recording each message it is sent, or refusing every send. */
function wrapped(queue: Queue<LakeMessage>, refuse = false) {
  const sent: LakeMessage[] = []
  const q = new Proxy(queue, {
    get(t, p) {
      if (p === 'sendBatch')
        return async (msgs: MessageSendRequest<LakeMessage>[]) => {
          if (refuse) throw new Error('Queue sendBatch failed: Too Many Requests')
          sent.push(...msgs.map((m) => m.body))
          return t.sendBatch(msgs)
        }
      const v = Reflect.get(t, p) as unknown
      return typeof v === 'function' ? v.bind(t) : v
    },
  })
  return { q, sent }
}

/** One server-side request per hour of the day (one partition each), through the real app and bindings. */
async function postHours(env: Env, prefix: string) {
  const statuses: number[] = []
  for (const [h, ts] of hours.entries()) {
    const ctx = createExecutionContext()
    const res = await app.fetch(
      new Request('http://localhost/e', {
        method: 'POST',
        body: JSON.stringify(
          batchOf([
            wireEventAt(`${prefix}-${h}-a`, ts, { ip: '5.9.1.1', ua: CHROME_UA }),
            wireEventAt(`${prefix}-${h}-b`, ts + 1000, { ip: '81.2.69.142', ua: CHROME_UA }),
          ]),
        ),
        headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer demo-server-key', 'User-Agent': 'node' },
      }),
      env,
      ctx,
    )
    await res.text()
    await waitOnExecutionContext(ctx)
    statuses.push(res.status)
  }
  return statuses
}

const idsOf = (rows: Record<string, unknown>[], prefix: string) =>
  rows.map((r) => r.event_id as string).filter((id) => id.startsWith(`${prefix}-`))
const expectedQueue = (ts: number) => {
  const { date, hour } = partitionOf('demo', ts)
  return queueIndex('demo', date, hour, 2)
}

describe('the collector over two queues', () => {
  beforeAll(installGeoDb)
  beforeEach(clearLake)

  it('finds EVENTS and EVENTS_2, in order', () => {
    expect(eventQueues(testEnv).length).toBe(2)
    expect(eventQueues({ ...testEnv, EVENTS_10: testEnv.EVENTS, EVENTS_3: testEnv.EVENTS } as Env).length).toBe(4)
  })

  it('spreads partitions over both queues, each always to the same one, and lands every acknowledged event once', async () => {
    const one = wrapped(testEnv.EVENTS)
    const two = wrapped((testEnv as unknown as { EVENTS_2: Queue<LakeMessage> }).EVENTS_2)
    const statuses = await postHours({ ...testEnv, EVENTS: one.q, EVENTS_2: two.q } as Env, 'spread')
    expect(statuses).toEqual(hours.map(() => 202))

    const eventsIn = (sent: LakeMessage[]) => sent.flatMap((m) => ('events' in m ? m.events : []))
    // Both queues carry events, and each partition went where its hash says.
    expect(eventsIn(one.sent).length).toBeGreaterThan(0)
    expect(eventsIn(two.sent).length).toBeGreaterThan(0)
    expect(eventsIn(one.sent).length + eventsIn(two.sent).length).toBe(48)
    for (const e of eventsIn(one.sent)) expect(expectedQueue(e.event_time)).toBe(0)
    for (const e of eventsIn(two.sent)) expect(expectedQueue(e.event_time)).toBe(1)

    // Both consumers write: every event is in the lake exactly once.
    const rows = await waitForLake((rows) => idsOf(rows, 'spread').length >= 48)
    const ids = idsOf(rows, 'spread')
    expect(ids.length).toBe(48)
    expect(new Set(ids).size).toBe(48)
  })

  it('answers 503 for the events of a refusing queue only; the other queue lands its events once', async () => {
    const two = wrapped((testEnv as unknown as { EVENTS_2: Queue<LakeMessage> }).EVENTS_2, true)
    const statuses = await postHours({ ...testEnv, EVENTS_2: two.q } as Env, 'refuse')
    const expected = hours.map((ts) => (expectedQueue(ts) === 1 ? 503 : 202))
    expect(statuses).toEqual(expected)
    expect(expected).toContain(503)
    expect(expected).toContain(202)

    const accepted = hours.flatMap((_, h) => (expected[h] === 202 ? [`refuse-${h}-a`, `refuse-${h}-b`] : []))
    const rows = await waitForLake((rows) => accepted.every((id) => idsOf(rows, 'refuse').includes(id)))
    await new Promise((r) => setTimeout(r, 1500)) // a batch's time: nothing refused arrives late
    const ids = idsOf(await lakeRows(), 'refuse')
    expect(ids.sort()).toEqual(accepted.sort())
    expect(rows.length).toBeGreaterThan(0)
  })
})
