import { partitionOf } from '../warehouse/lake.ts'
import type { EventRow } from '../warehouse/schema.ts'
import type { LakeMessage } from './env.ts'
import { forget, journal } from './journal.ts'
import { queueIndex } from './queues.ts'

// Cloudflare Queues: a message is at most 128 KB; sendBatch takes at most 100 messages and 256 KB in all
// (Cloudflare's Queues limits). Headroom is left for the per-message overhead.
const MAX_MESSAGE_BYTES = 120 * 1024
const MAX_MESSAGES = 100
const MAX_BATCH_BYTES = 250 * 1024
const utf8 = new TextEncoder()

/**
 * Sends a request's rows as few messages as the limits allow: one per lake partition (site, date, hour of
 * the event time), split further only past 120 KB. Each message then belongs to exactly one part file, so
 * the consumer can ack or retry it with that file. A 3-event request is one message instead of three:
 * a third of the queue operations, which Cloudflare bills, and measured faster locally (bench/RESULTS.md).
 * With several queues (edge/queues.ts), each partition's messages go to the queue its hash picks, and the
 * queues are sent to at once. With `journalTo`, each message is first written to the queue journal
 * (edge/journal.ts). Throws if a queue refuses (the collector's 503: the client sends the whole request
 * again; what another queue accepted meanwhile lands twice, and the lake keeps one row per event id).
 */
export async function enqueue(queues: Queue<LakeMessage> | Queue<LakeMessage>[], rows: EventRow[], journalTo?: R2Bucket): Promise<void> {
  const list = Array.isArray(queues) ? queues : [queues]
  type Pending = { events: EventRow[]; bytes: number; queue: number }
  const messages: Pending[] = []
  const open = new Map<string, Pending>() // the message being filled, per partition
  // When a bound of the rows' JSON keeps them all in one message, the exact sizes cannot change a split and
  // need not be known: a usual request (3 rows, ~3 KB of JSON, bounded by ~16 KB) is not serialised here,
  // only once by sendBatch (bench/cpu.mjs: JSON.stringify of the rows was ~10 us of a ~125 us request).
  const bounds = rows.map(jsonBound)
  const exact = bounds.reduce((sum, b) => sum + b + 1, 20) > MAX_MESSAGE_BYTES
  for (const [i, event] of rows.entries()) {
    const { date, hour } = partitionOf(event.site, event.event_time)
    const size = exact ? utf8.encode(JSON.stringify(event)).byteLength + 1 : bounds[i]! + 1
    let m = open.get(`${date}/${hour}`)
    if (!m || m.bytes + size > MAX_MESSAGE_BYTES) {
      messages.push((m = { events: [], bytes: 20, queue: queueIndex(event.site, date, hour, list.length) }))
      open.set(`${date}/${hour}`, m)
    }
    m.events.push(event)
    m.bytes += size
  }
  const send = async (queue: Queue<LakeMessage>, chunk: Pending[]) => {
    const bodies: LakeMessage[] = journalTo ? await journal(journalTo, chunk) : chunk.map((m) => ({ events: m.events }))
    try {
      await queue.sendBatch(bodies.map((body) => ({ body, contentType: 'json' })))
    } catch (e) {
      if (journalTo) await forget(journalTo, bodies).catch(() => {}) // refused (503): the client sends them again
      throw e
    }
  }
  /** One queue's messages, in as few sendBatch calls as its limits allow. */
  const sendAll = async (queue: Queue<LakeMessage>, mine: Pending[]) => {
    let chunk: Pending[] = []
    let bytes = 0
    for (const m of mine) {
      if (chunk.length === MAX_MESSAGES || (chunk.length > 0 && bytes + m.bytes > MAX_BATCH_BYTES)) {
        await send(queue, chunk)
        chunk = []
        bytes = 0
      }
      chunk.push(m)
      bytes += m.bytes + 100
    }
    if (chunk.length) await send(queue, chunk)
  }
  if (list.length === 1) return sendAll(list[0]!, messages)
  const results = await Promise.allSettled(
    list.map((q, i) =>
      sendAll(
        q,
        messages.filter((m) => m.queue === i),
      ),
    ),
  )
  const refused = results.find((r) => r.status === 'rejected')
  if (refused) throw (refused as PromiseRejectedResult).reason
}

/**
 * At least the UTF-8 bytes of `JSON.stringify(row)`, without serialising the row's strings: a UTF-16 unit
 * is at most 6 bytes of JSON (an escape such as \u0000; unescaped it is at most 3 bytes of UTF-8), a number
 * at most 24 characters (-1.7976931348623157e+308), true/false/null at most 5; a nested object (props) is
 * serialised and counted 3 bytes a character.
 */
export function jsonBound(row: object): number {
  let n = 2
  for (const key in row) {
    const v = (row as Record<string, unknown>)[key]
    n += key.length * 6 + 4 // "key": and a comma
    if (typeof v === 'string') n += v.length * 6 + 2
    else if (typeof v === 'number') n += 24
    else if (v === null || v === undefined || typeof v === 'boolean') n += 5
    else n += (JSON.stringify(v)?.length ?? 4) * 3
  }
  return n
}
