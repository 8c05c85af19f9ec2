import { createMessageBatch } from 'cloudflare:test'
import { beforeEach, describe, expect, it } from 'vitest'
import { eventRow } from '../warehouse/testing/rows.ts'
import { consume } from './consumer.ts'
import { enqueue } from './enqueue.ts'
import type { Env, LakeMessage } from './env.ts'
import { JOURNAL_PREFIX } from '../warehouse/lake.ts'
import { replay } from './journal.ts'
import { clearLake, lakeRows, testEnv } from './test-helpers.ts'
import { HOUR } from '../warehouse/time.ts'

/** The real queue binding, recording what is sent through it (or refusing, as Queues does when over its rate). */
function recordingQueue(refuse = false) {
  const sent: LakeMessage[] = []
  const queue = {
    async send(body: LakeMessage, options?: QueueSendOptions) {
      if (refuse) throw new Error('Too Many Requests')
      sent.push(body)
      await testEnv.EVENTS.send(body, options)
    },
    async sendBatch(messages: Iterable<MessageSendRequest<LakeMessage>>, options?: QueueSendBatchOptions) {
      if (refuse) throw new Error('Too Many Requests')
      const list = [...messages]
      sent.push(...list.map((m) => m.body))
      await testEnv.EVENTS.sendBatch(list, options)
    },
  } as unknown as Queue<LakeMessage>
  return { queue, sent }
}

async function journalKeys() {
  return (await testEnv.LAKE.list({ prefix: JOURNAL_PREFIX })).objects.map((o) => o.key).sort()
}

async function clearJournal() {
  const keys = await journalKeys()
  if (keys.length) await testEnv.LAKE.delete(keys)
}

const T0 = Date.UTC(2026, 10, 24, 10)
const rows = [
  eventRow({ event_id: 'a', event_time: T0 }),
  eventRow({ event_id: 'b', event_time: T0 + 1 }),
  eventRow({ event_id: 'c', event_time: T0 + HOUR }),
]

/** Delivers sent bodies to the real consumer as one queue batch. */
async function deliver(bodies: LakeMessage[], env: Env = testEnv, queue = 'footfall-events') {
  const batch = createMessageBatch<unknown>(
    queue,
    bodies.map((body, i) => ({ id: `j${i}`, timestamp: new Date(), attempts: 1, body })),
  )
  await consume(batch, env)
}

describe('queue journal (edge/journal.ts)', () => {
  beforeEach(async () => {
    await clearLake()
    await clearJournal()
  })

  it('journals each message before sending it, and the consumer deletes the entry once its part is written', async () => {
    const { queue, sent } = recordingQueue()
    await enqueue(queue, rows, testEnv.LAKE)
    expect(sent).toHaveLength(2) // two hour partitions
    const keys = await journalKeys()
    expect(keys).toHaveLength(2)
    expect(sent.map((m) => ('journal' in m ? m.journal : undefined)).sort()).toEqual(keys)
    const entries = await Promise.all(
      keys.map(async (k) => (await (await testEnv.LAKE.get(k))!.json<{ event_id: string }[]>()).map((e) => e.event_id)),
    )
    expect(entries.sort()).toEqual([['a', 'b'], ['c']])

    await deliver(sent)
    expect((await lakeRows()).map((r) => r.event_id).sort()).toEqual(['a', 'b', 'c'])
    expect(await journalKeys()).toEqual([])
  })

  it('keeps the entry of a message whose part failed to write, and drops the entry of a refused send', async () => {
    const { queue, sent } = recordingQueue()
    await enqueue(queue, rows, testEnv.LAKE)
    const failing = new Proxy(testEnv.LAKE, {
      get(target, prop) {
        if (prop === 'put')
          return async (key: string) => {
            if (key.includes('hour=11')) throw new Error('injected R2 failure')
          } // prettier-ignore
        const v = Reflect.get(target, prop) as unknown
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    await deliver(sent, { ...testEnv, LAKE: failing })
    const left = await journalKeys()
    expect(left).toHaveLength(1)
    const entry = await (await testEnv.LAKE.get(left[0]!))!.json<{ event_id: string }[]>()
    expect(entry.map((e) => e.event_id)).toEqual(['c'])

    await clearJournal()
    await expect(enqueue(recordingQueue(true).queue, rows, testEnv.LAKE)).rejects.toThrow('Too Many Requests')
    expect(await journalKeys()).toEqual([]) // answered 503: the client sends them again
  })

  it('replays the entries an earlier process left, and only those; the replay lands each event once', async () => {
    const { queue, sent } = recordingQueue()
    await enqueue(queue, rows, testEnv.LAKE) // "the earlier process": sent, never consumed
    const before = Date.now() + 1000
    const replayed = recordingQueue()
    expect(await replay({ ...testEnv, EVENTS: replayed.queue }, before - 60_000)).toBe(0) // nothing that old
    expect(await replay({ ...testEnv, EVENTS: replayed.queue }, before)).toBe(2)
    expect(replayed.sent).toEqual(expect.arrayContaining(sent))
    expect(replayed.sent).toHaveLength(2)

    await deliver(replayed.sent)
    expect((await lakeRows()).map((r) => r.event_id).sort()).toEqual(['a', 'b', 'c'])
    expect(await journalKeys()).toEqual([])
  })

  it('a dead-lettered message leaves the journal with it', async () => {
    const { queue, sent } = recordingQueue()
    await enqueue(queue, rows.slice(0, 1), testEnv.LAKE)
    expect(await journalKeys()).toHaveLength(1)
    await deliver(sent, testEnv, 'footfall-events-dlq')
    expect(await journalKeys()).toEqual([])
    expect((await testEnv.LAKE.list({ prefix: 'deadletter/' })).objects).toHaveLength(1)
    await testEnv.LAKE.delete((await testEnv.LAKE.list({ prefix: 'deadletter/' })).objects.map((o) => o.key))
  })
})
