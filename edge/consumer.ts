/**
 * The queue consumer: one queue batch becomes one Parquet file per table and partition (site, date, hour).
 *
 * Exactly once in the lake, on a queue that delivers at least once:
 * - the part name is a hash of the partition's sorted event ids, so a redelivered batch rewrites the same
 *   object instead of adding a copy (a later batch holding an already stored event is deduped by compaction,
 *   and readers dedupe on event id);
 * - duplicate events within a batch are dropped (last one wins: the same id carries the same event);
 * - messages are acked per partition once its file is written: a failure mid-way retries only the messages
 *   of the partitions that did not land;
 * - a poison message (a body no retry can ever write) is retried like any failure, and after `max_retries`
 *   (wrangler.toml) the queue moves it to the dead-letter queue, whose consumer below keeps it in R2 under
 *   `deadletter/` for inspection, without holding back the rest of its batch.
 */
import { rowProblem, timeRange, writeDrops, writeEvents } from '../warehouse/parquet.ts'
import { encodeMeta, partitionOf, partKey, partName, type Partition, type Table } from '../warehouse/lake.ts'
import { markLate } from '../warehouse/late.ts'
import { COLUMNS, DROP_COLUMNS, SCHEMA_VERSION, type DropRow, type EventRow } from '../warehouse/schema.ts'
import type { Env, LakeMessage } from './env.ts'
import { forget } from './journal.ts'

/** Prefix of dead letters in R2: `deadletter/date=YYYY-MM-DD/<message id>.json`. */
export const DEAD_LETTER_PREFIX = 'deadletter/'

interface Group<R> {
  partition: Partition
  rows: Map<string, R>
  messages: Message<unknown>[]
}

/** The `queue()` handler: the events queue, or its dead-letter queue (named `<queue>-dlq` in wrangler.toml). */
export async function consume(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue.endsWith('-dlq')) return keepDeadLetters(batch, env)
  const events = new Map<string, Group<EventRow>>()
  const drops = new Map<string, Group<DropRow>>()
  for (const msg of batch.messages) {
    const problem = messageProblem(msg.body)
    if (problem) {
      // Retrying cannot fix the body, but the queue's retry count is what moves it to the dead-letter queue.
      console.error(`poison message ${msg.id} (attempt ${msg.attempts}): ${problem}`)
      msg.retry()
      continue
    }
    const body = msg.body as LakeMessage
    if ('drop' in body) add(drops, body.drop.site, body.drop.time, msg.id, body.drop, msg)
    else for (const e of 'events' in body ? body.events : [body.event]) add(events, e.site, e.event_time, e.event_id, e, msg)
  }
  const writes = [
    ...[...events.values()].map((g) => () => {
      // Sorted, so that a redelivery in another order writes the same bytes: /data/ serves files as immutable.
      const list = [...g.rows.values()].sort((a, b) => a.event_time - b.event_time || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0))
      return writePart(env.LAKE, 'events', g.partition, [...g.rows.keys()], writeEvents(list), timeRange(list))
    }),
    ...[...drops.values()].map((g) => () => {
      const list = [...g.rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r)
      const times = list.map((r) => r.time)
      return writePart(env.LAKE, 'dropped', g.partition, [...g.rows.keys()], writeDrops(list), { minTime: Math.min(...times), maxTime: Math.max(...times) })
    }),
  ]
  const groups = [...events.values(), ...drops.values()]
  const results = await Promise.allSettled(writes.map((w) => w()))
  // A written message's journal entry (edge/journal.ts) goes before its ack: a crash in between replays it,
  // and the replay's copy is deduped like any redelivery.
  const written = groups.filter((_, i) => results[i]!.status === 'fulfilled').flatMap((g) => g.messages)
  await forget(env.LAKE, written.map((m) => m.body)).catch((e) => console.error('queue journal: delete failed', (e as Error).message))
  const poisoned = groups.reduce((n, g) => n - g.messages.length, batch.messages.length)
  if (!poisoned && results.every((r) => r.status === 'fulfilled')) return batch.ackAll()
  results.forEach((r, i) => {
    const group = groups[i]!
    if (r.status === 'fulfilled') for (const m of group.messages) m.ack()
    else {
      // The same ids come back, so the retry writes the same key: no copy, whatever landed before.
      console.error(`lake write failed for ${group.partition.site}/${group.partition.date}/${group.partition.hour}`, (r.reason as Error)?.message)
      for (const m of group.messages) m.retry()
    }
  })
}

/** Why a message body can never be written, or null. */
export function messageProblem(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return 'not an object'
  if ('events' in body) {
    const list = body.events
    if (!Array.isArray(list) || !list.length) return 'events is not a list of events'
    for (const [i, e] of list.entries()) {
      const problem = rowProblem(COLUMNS, e)
      if (problem) return `events[${i}]: ${problem}`
    }
    // One message, one part file: what lets the consumer ack or retry it with that file. The same UTC hour
    // is the same partition's date and hour (an hour number compared, not two ISO strings made per event).
    const { site, event_time: t } = list[0] as EventRow
    const hour = hourOf(t)
    return (list as EventRow[]).every((e) => e.site === site && hourOf(e.event_time) === hour) ? null : 'events of more than one partition'
  }
  if ('event' in body) return rowProblem(COLUMNS, body.event)
  if ('drop' in body) return rowProblem(DROP_COLUMNS, body.drop)
  return 'neither events nor a drop'
}

/** Hours since the epoch: equal for two times exactly when partitionOf gives them the same date and hour. */
const hourOf = (time: number) => Math.floor(time / 3_600_000)

function add<R>(groups: Map<string, Group<R>>, site: string, time: number, id: string, row: R, msg: Message<unknown>): void {
  // Keyed by hour number, then site (no separator inside a number): partitionOf once per group, not per row.
  const key = `${hourOf(time)}|${site}`
  let group = groups.get(key)
  if (!group) groups.set(key, (group = { partition: partitionOf(site, time), rows: new Map(), messages: [] }))
  group.rows.set(id, row)
  if (group.messages.at(-1) !== msg) group.messages.push(msg)
}

async function writePart(lake: R2Bucket, table: Table, partition: Partition, ids: string[], parquet: ArrayBuffer, times: { minTime: number; maxTime: number }) {
  // An events part of a date the cron no longer looks at is marked first, so it is compacted and its days'
  // aggregates rebuilt (warehouse/late.ts).
  if (table === 'events') await markLate(lake, partition, Date.now())
  await lake.put(partKey(partition, await partName(ids), table), parquet, {
    httpMetadata: { contentType: 'application/vnd.apache.parquet' },
    customMetadata: encodeMeta({ rows: ids.length, ...times, schema: SCHEMA_VERSION }),
  })
}

/** Dead letters are kept as JSON in R2 (a DLQ holds them 4 days only), one object per message id. */
async function keepDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const date = new Date().toISOString().slice(0, 10)
  await Promise.all(
    batch.messages.map((m) => {
      let body: string
      try {
        body = JSON.stringify(m.body) ?? String(m.body)
      } catch {
        body = String(m.body)
      }
      const record = JSON.stringify({ id: m.id, queue: batch.queue.replace(/-dlq$/, ''), timestamp: m.timestamp.toISOString(), problem: messageProblem(m.body), body })
      return env.LAKE.put(`${DEAD_LETTER_PREFIX}date=${date}/${m.id}.json`, record, { httpMetadata: { contentType: 'application/json' } })
    }),
  )
  await forget(env.LAKE, batch.messages.map((m) => m.body)) // kept here now, not replayed
  batch.ackAll()
}
