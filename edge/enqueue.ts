import type { EventRow } from '../warehouse/schema.ts'
import type { LakeMessage } from './env.ts'

// Cloudflare Queues: sendBatch takes at most 100 messages and 256 KB in all (DESIGN.md, "Limits").
const MAX_MESSAGES = 100
const MAX_BATCH_BYTES = 250 * 1024 // headroom under 256 KB for per-message overhead
const utf8 = new TextEncoder()

/** Sends rows as one message each, in as few sendBatch calls as the limits allow. Throws if the queue refuses. */
export async function enqueue(queue: Queue<LakeMessage>, rows: EventRow[]): Promise<void> {
  let chunk: MessageSendRequest<LakeMessage>[] = []
  let bytes = 0
  for (const event of rows) {
    const size = utf8.encode(JSON.stringify(event)).byteLength + 100
    if (chunk.length === MAX_MESSAGES || (chunk.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      await queue.sendBatch(chunk)
      chunk = []
      bytes = 0
    }
    chunk.push({ body: { event }, contentType: 'json' })
    bytes += size
  }
  if (chunk.length) await queue.sendBatch(chunk)
}
