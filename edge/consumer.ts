/**
 * The queue consumer: one queue batch becomes one Parquet file per table and partition (site, date, hour).
 * Queues deliver at least once: the part name is a hash of the batch's sorted row ids, so a redelivered
 * batch rewrites the same object instead of adding a copy. Duplicate events within a batch are dropped.
 */
import { timeRange, writeDrops, writeEvents } from '../warehouse/parquet.ts'
import { encodeMeta, partitionOf, partKey, type Partition, type Table } from '../warehouse/lake.ts'
import { SCHEMA_VERSION, type DropRow, type EventRow } from '../warehouse/schema.ts'
import type { Env, LakeMessage } from './env.ts'

interface Group<R> {
  partition: Partition
  rows: Map<string, R>
}

export async function consume(batch: MessageBatch<LakeMessage>, env: Env): Promise<void> {
  const events = new Map<string, Group<EventRow>>()
  const drops = new Map<string, Group<DropRow>>()
  for (const msg of batch.messages) {
    const body = msg.body
    if ('event' in body) add(events, body.event.site, body.event.event_time, body.event.event_id, body.event)
    else add(drops, body.drop.site, body.drop.time, msg.id, body.drop)
  }
  // If any write throws, the whole batch is retried; the deterministic keys make the rewrite harmless.
  await Promise.all([
    ...[...events.values()].map(({ partition, rows }) => {
      const list = [...rows.values()]
      return writePart(env.LAKE, 'events', partition, [...rows.keys()], writeEvents(list), timeRange(list))
    }),
    ...[...drops.values()].map(({ partition, rows }) => {
      const list = [...rows.values()]
      const times = list.map((r) => r.time)
      return writePart(env.LAKE, 'dropped', partition, [...rows.keys()], writeDrops(list), { minTime: Math.min(...times), maxTime: Math.max(...times) })
    }),
  ])
  batch.ackAll()
}

function add<R>(groups: Map<string, Group<R>>, site: string, time: number, id: string, row: R): void {
  const partition = partitionOf(site, time)
  const key = `${partition.site}/${partition.date}/${partition.hour}`
  let group = groups.get(key)
  if (!group) groups.set(key, (group = { partition, rows: new Map() }))
  group.rows.set(id, row)
}

async function writePart(lake: R2Bucket, table: Table, partition: Partition, ids: string[], parquet: ArrayBuffer, times: { minTime: number; maxTime: number }) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(ids.sort().join('\n')))
  const part = Array.from(new Uint8Array(digest, 0, 10), (b) => b.toString(16).padStart(2, '0')).join('')
  await lake.put(partKey(partition, part, table), parquet, {
    httpMetadata: { contentType: 'application/vnd.apache.parquet' },
    customMetadata: encodeMeta({ rows: ids.length, ...times, schema: SCHEMA_VERSION }),
  })
}
