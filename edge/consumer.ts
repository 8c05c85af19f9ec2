/**
 * The queue consumer: one queue batch becomes one Parquet file per table and partition (site, date, hour).
 *
 * Exactly once in the lake, on a queue that delivers at least once:
 * - the part name is a hash of the partition's sorted event ids, so a redelivered batch rewrites the same
 *   object instead of adding a copy (a later batch holding an already stored event is deduped by compaction,
 *   and readers dedupe on event id);
 * - duplicate events within a batch are dropped: per site and id, the copy received first is kept
 *   (warehouse/dedup.ts, the rule of compaction and of every reader);
 * - messages are acked per partition once its file is written: a failure mid-way retries only the messages
 *   of the partitions that did not land;
 * - a row the lake cannot store (a value outside its column's type) is dropped alone and counted in the drop
 *   ledger (reason `unwritable`, the column and the problem): the rest of its message lands, and the message
 *   is acked once both are written. The validator (warehouse/wire.ts) is meant to leave no such row;
 * - a poison message (a body that is not ours at all, or spans partitions) is retried like any failure, and
 *   after `max_retries` (wrangler.toml) the queue moves it to the dead-letter queue, whose consumer below
 *   keeps it in R2 under `deadletter/` for inspection, without holding back the rest of its batch.
 */
import { rowProblem, timeRange, writeDrops, writeEvents } from '../warehouse/parquet.ts'
import { HOUR } from '../warehouse/time.ts'
import { DEAD_LETTER_PREFIX, encodeMeta, partitionOf, partKey, partName, type Partition, type Table } from '../warehouse/lake.ts'
import { markLate } from '../warehouse/late.ts'
import { receivedEarlier } from '../warehouse/dedup.ts'
import { COLUMNS, DROP_COLUMNS, SCHEMA_VERSION, type DropRow, type EventRow } from '../warehouse/schema.ts'
import type { Env, LakeMessage } from './env.ts'
import { forget } from './journal.ts'

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
  /** Rows the lake cannot store: dropped one by one into the ledger, never with their message's other rows. */
  const unwritable: { msg: Message<unknown>; index: number; row: unknown; problem: string }[] = []
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
    else {
      eventsOf(body).forEach((e, index) => {
        const bad = rowProblem(COLUMNS, e)
        if (bad) unwritable.push({ msg, index, row: e, problem: bad })
        else addFirstReceived(events, e, msg)
      })
    }
  }
  // Encoded before any write, so that a row the writer throws on (which rowProblem did not foresee) is
  // dropped alone, and its ledger row is written with this batch.
  const encoded = [...events.values()].map((g) => {
    // Sorted, so that a redelivery in another order writes the same bytes: /data/ serves files as immutable.
    const list = [...g.rows.values()].sort(
      (a, b) => a.event_time - b.event_time || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0),
    )
    const { parquet, rows, failed } = encodeEvents(list)
    for (const f of failed) {
      const msg = g.messages.find((m) => eventsOf(m.body as LakeMessage).includes(f.row))!
      unwritable.push({ msg, index: eventsOf(msg.body as LakeMessage).indexOf(f.row), row: f.row, problem: f.problem })
    }
    return { group: g, parquet, rows }
  })
  for (const u of unwritable) {
    console.error(`message ${u.msg.id}: row ${u.index} cannot be written, kept in the drop ledger: ${u.problem}`)
    const drop = unwritableDrop(u.msg, u.row, u.problem)
    add(drops, drop.site, drop.time, `${u.msg.id}#${u.index}`, drop, u.msg)
  }
  const writes = [
    ...encoded.map(({ group: g, parquet, rows }) => async () => {
      // A part whose every row was unwritable has nothing to write; its messages wait only on their ledger rows.
      if (!rows.length) return
      await writePart(
        env.LAKE,
        'events',
        g.partition,
        rows.map((r) => r.event_id),
        parquet!,
        timeRange(rows),
      )
    }),
    ...[...drops.values()].map((g) => () => {
      const list = [...g.rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r)
      const times = list.map((r) => r.time)
      return writePart(env.LAKE, 'dropped', g.partition, [...g.rows.keys()], writeDrops(list), {
        minTime: Math.min(...times),
        maxTime: Math.max(...times),
      })
    }),
  ]
  const groups = [...encoded.map((e) => e.group), ...drops.values()]
  const results = await Promise.allSettled(writes.map((w) => w()))
  // A message is done when every group holding one of its rows landed (its events and its ledger rows).
  const failed = new Set<Message<unknown>>()
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return
    const group = groups[i]!
    // The same ids come back, so the retry writes the same key: no copy, whatever landed before.
    console.error(
      `lake write failed for ${group.partition.site}/${group.partition.date}/${group.partition.hour}`,
      (r.reason as Error)?.message,
    )
    for (const m of group.messages) failed.add(m)
  })
  const placed = new Set(groups.flatMap((g) => g.messages))
  const written = [...placed].filter((m) => !failed.has(m))
  // A written message's journal entry (edge/journal.ts) goes before its ack: a crash in between replays it,
  // and the replay's copy is deduped like any redelivery.
  await forget(
    env.LAKE,
    written.map((m) => m.body),
  ).catch((e) => console.error('queue journal: delete failed', (e as Error).message))
  if (written.length === batch.messages.length) return batch.ackAll()
  for (const m of written) m.ack()
  for (const m of failed) m.retry()
}

/** The event rows of a message (a list, or the earlier one-event shape). */
const eventsOf = (body: LakeMessage): EventRow[] => ('events' in body ? body.events : 'event' in body ? [body.event] : [])

/**
 * The Parquet file of `rows`, and the rows it holds. Should the writer throw (a row rowProblem let through),
 * each row is tried alone and those it cannot encode are left out with the writer's message: one row never
 * holds back the others, which would otherwise fail together on every retry.
 */
function encodeEvents(rows: EventRow[]): { parquet: ArrayBuffer | null; rows: EventRow[]; failed: { row: EventRow; problem: string }[] } {
  try {
    return { parquet: writeEvents(rows), rows, failed: [] }
  } catch {
    const failed: { row: EventRow; problem: string }[] = []
    const good = rows.filter((row) => {
      try {
        writeEvents([row])
        return true
      } catch (e) {
        failed.push({ row, problem: `the writer refused it: ${(e as Error).message}` })
        return false
      }
    })
    return { parquet: good.length ? writeEvents(good) : null, rows: good, failed }
  }
}

const SITE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/

/**
 * The ledger row of an unwritable event: at its message's time (a redelivery writes the same row to the same
 * key), under its site when that is a site id, with the offending column as `field`.
 */
function unwritableDrop(msg: Message<unknown>, row: unknown, problem: string): DropRow {
  const r = (typeof row === 'object' && row !== null ? row : {}) as Record<string, unknown>
  const id = typeof r.event_id === 'string' ? ` (event ${r.event_id.slice(0, 64)})` : ''
  return {
    time: msg.timestamp.getTime(),
    site: typeof r.site === 'string' && SITE_ID.test(r.site) ? r.site : '_unknown',
    reason: 'unwritable',
    field: /^([a-z_]+):/.exec(problem)?.[1] ?? null,
    detail: `${problem}${id}`.slice(0, 300),
    events: 1,
  }
}

/**
 * Why a message body can never be written as a whole, or null: not a message of ours, or events of more
 * than one partition. Rows the lake cannot store are not this: each is dropped alone (`rowProblem`).
 */
export function messageProblem(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return 'not an object'
  if ('events' in body || 'event' in body) {
    const list = 'events' in body ? body.events : [body.event]
    if (!Array.isArray(list) || !list.length) return 'events is not a list of events'
    // One message, one part file: what lets the consumer ack or retry it with that file. The same UTC hour
    // is the same partition's date and hour (an hour number compared, not two ISO strings made per event).
    const rows = (list as unknown[]).filter((e): e is EventRow => rowProblem(COLUMNS, e) === null)
    const first = rows[0]
    if (!first) return null
    const hour = hourOf(first.event_time)
    return rows.every((e) => e.site === first.site && hourOf(e.event_time) === hour) ? null : 'events of more than one partition'
  }
  if ('drop' in body) return rowProblem(DROP_COLUMNS, body.drop)
  return 'neither events nor a drop'
}

/** Hours since the epoch: equal for two times exactly when partitionOf gives them the same date and hour. */
const hourOf = (time: number) => Math.floor(time / HOUR)

/** Adds a row to its partition's group; a row of the same id already there stays unless `replaces` says so. */
function add<R>(
  groups: Map<string, Group<R>>,
  site: string,
  time: number,
  id: string,
  row: R,
  msg: Message<unknown>,
  replaces: (kept: R) => boolean = () => true,
): void {
  // Keyed by hour number, then site (no separator inside a number): partitionOf once per group, not per row.
  const key = `${hourOf(time)}|${site}`
  let group = groups.get(key)
  if (!group) groups.set(key, (group = { partition: partitionOf(site, time), rows: new Map(), messages: [] }))
  const kept = group.rows.get(id)
  // The message is the group's either way: it is acked (or retried) with the group's file.
  if (kept === undefined || replaces(kept)) group.rows.set(id, row)
  if (group.messages.at(-1) !== msg) group.messages.push(msg)
}

/**
 * Adds an event to its partition's group unless a copy received earlier is there (warehouse/dedup.ts). A
 * group is one site's, so its rows are keyed by event id. A copy in another hour (a resent event whose time
 * was corrected differently) is another partition's: compaction cannot meet the two, the readers do.
 */
function addFirstReceived(groups: Map<string, Group<EventRow>>, e: EventRow, msg: Message<unknown>): void {
  add(groups, e.site, e.event_time, e.event_id, e, msg, (kept) => receivedEarlier(e.received_time, kept.received_time))
}

async function writePart(
  lake: R2Bucket,
  table: Table,
  partition: Partition,
  ids: string[],
  parquet: ArrayBuffer,
  times: { minTime: number; maxTime: number },
) {
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
      const record = JSON.stringify({
        id: m.id,
        queue: batch.queue.replace(/-dlq$/, ''),
        timestamp: m.timestamp.toISOString(),
        problem: messageProblem(m.body),
        body,
      })
      return env.LAKE.put(`${DEAD_LETTER_PREFIX}date=${date}/${m.id}.json`, record, { httpMetadata: { contentType: 'application/json' } })
    }),
  )
  await forget(
    env.LAKE,
    batch.messages.map((m) => m.body),
  ) // kept here now, not replayed
  batch.ackAll()
}
