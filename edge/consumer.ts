/**
 * The queue consumer: one queue batch becomes one Parquet file per partition (site, date, hour).
 * Queues deliver at least once: the part name is a hash of the batch's sorted event ids, so a redelivered
 * batch rewrites the same object instead of adding a copy. Duplicates within a batch are dropped here.
 */
import { writeEvents, timeRange } from '../warehouse/parquet.ts'
import { encodeMeta, partitionOf, partKey, type Partition } from '../warehouse/lake.ts'
import { SCHEMA_VERSION, type EventRow } from '../warehouse/schema.ts'
import type { Env } from './env.ts'

export async function consume(batch: MessageBatch<EventRow>, env: Env): Promise<void> {
  const groups = new Map<string, { partition: Partition; rows: Map<string, EventRow> }>()
  for (const msg of batch.messages) {
    const row = msg.body
    const partition = partitionOf(row.site, row.event_time)
    const id = `${partition.site}/${partition.date}/${partition.hour}`
    let group = groups.get(id)
    if (!group) groups.set(id, (group = { partition, rows: new Map() }))
    group.rows.set(row.event_id, row)
  }
  // If any write throws, the whole batch is retried; the deterministic keys make the rewrite harmless.
  await Promise.all([...groups.values()].map(({ partition, rows }) => writePart(env.LAKE, partition, [...rows.values()])))
  batch.ackAll()
}

async function writePart(lake: R2Bucket, partition: Partition, rows: EventRow[]): Promise<void> {
  const ids = rows.map((r) => r.event_id).sort().join('\n')
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(ids))
  const part = Array.from(new Uint8Array(digest, 0, 10), (b) => b.toString(16).padStart(2, '0')).join('')
  await lake.put(partKey(partition, part), writeEvents(rows), {
    httpMetadata: { contentType: 'application/vnd.apache.parquet' },
    customMetadata: encodeMeta({ rows: rows.length, ...timeRange(rows), schema: SCHEMA_VERSION }),
  })
}
