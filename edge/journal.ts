/**
 * The queue journal: for a queue that does not keep its messages durably.
 *
 * On Cloudflare, `sendBatch` resolves once Queues has stored the messages, so a 202 from the collector is a
 * promise the lake keeps. Miniflare's local queue (wrangler dev) holds messages in memory only: stopping or
 * killing the local stack loses everything acknowledged but not yet written by the consumer
 * (test/reliability/faults.test.ts measured ~2,000 events for a kill during load). With `QUEUE_JOURNAL=r2`
 * (set by scripts/wrangler-dev.mjs, so by `npm start` and the tests; off in a deploy):
 *   1. the collector writes each message to R2 under `journal/` before sending it (before its 202),
 *   2. the consumer deletes a message's journal entry once the message's Parquet part is written,
 *   3. entries left behind by an earlier process (a crash, a stop) are sent to the queue again by the first
 *      request of the next isolate, and by the cron once they are older than `STALE_MS`.
 * A replayed message may land twice in raw parts (its part is keyed by its own ids, not its first batch's):
 * the `events` view and compaction keep one row per event id, as for any redelivery.
 */
import type { EventRow } from '../warehouse/schema.ts'
import { JOURNAL_PREFIX } from '../warehouse/lake.ts'
import { MINUTE } from '../warehouse/time.ts'
import type { Env, LakeMessage } from './env.ts'

/** Entries older than this are replayed by the cron: no live message waits that long in the queue. */
export const STALE_MS = 15 * MINUTE

export const journalOn = (env: Env): boolean => env.QUEUE_JOURNAL === 'r2'

/** Writes each message to the journal and returns them with their entry's key. */
export async function journal(lake: R2Bucket, messages: { events: EventRow[] }[]): Promise<LakeMessage[]> {
  return Promise.all(
    messages.map(async (m) => {
      const key = `${JOURNAL_PREFIX}${crypto.randomUUID()}.json`
      await lake.put(key, JSON.stringify(m.events), { httpMetadata: { contentType: 'application/json' } })
      return { events: m.events, journal: key }
    }),
  )
}

/** Deletes the journal entries of messages that are written (or given up: dead-lettered, refused). */
export async function forget(lake: R2Bucket, messages: unknown[]): Promise<void> {
  const keys = messages.flatMap((m) => {
    const key = (m as { journal?: unknown } | null)?.journal
    return typeof key === 'string' && key.startsWith(JOURNAL_PREFIX) ? [key] : []
  })
  for (let i = 0; i < keys.length; i += 1000) await lake.delete(keys.slice(i, i + 1000))
}

/** Sends every journal entry uploaded before `before` to the queue again; returns how many. */
export async function replay(env: Env, before: number): Promise<number> {
  let replayed = 0
  let cursor: string | undefined
  do {
    const page = await env.LAKE.list({ prefix: JOURNAL_PREFIX, cursor })
    for (const o of page.objects) {
      if (o.uploaded.getTime() >= before) continue
      const body = await env.LAKE.get(o.key)
      if (!body) continue // written meanwhile: the consumer deleted it
      let events: EventRow[]
      try {
        events = await body.json<EventRow[]>()
      } catch {
        events = [] // the consumer's check sends an unreadable entry to the dead-letter queue
      }
      await env.EVENTS.send({ events, journal: o.key }, { contentType: 'json' })
      replayed++
    }
    cursor = page.truncated ? page.cursor : undefined
  } while (cursor)
  if (replayed) console.log(`queue journal: ${replayed} messages of an earlier process sent again`)
  return replayed
}

let firstRequest: number | undefined

/** The first request of an isolate replays what earlier processes left (in the background). */
export function replayOnStart(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): void {
  if (firstRequest !== undefined || !journalOn(env)) return
  firstRequest = Date.now()
  ctx.waitUntil(replay(env, firstRequest).catch((e) => console.error('queue journal replay failed', (e as Error).message)))
}
