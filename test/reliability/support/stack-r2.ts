/**
 * Every object of a stopped stack's local R2 bucket, read from its persisted state (`--persist-to`) with
 * Miniflare, the engine of `wrangler dev` itself: salts, the geo database, dead letters and the lake's
 * Parquet files alike (the lake API serves only the last). The stack must be stopped: two workerd processes
 * must not share the state's SQLite files.
 */
import { Miniflare } from 'miniflare'
import { join } from 'node:path'

export interface StoredObject {
  key: string
  bytes: Uint8Array
  customMetadata: Record<string, string>
}

export async function readBucket(persistTo: string, bucket = 'footfall-lake'): Promise<StoredObject[]> {
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response(null) } }',
    r2Buckets: [bucket],
    r2Persist: join(persistTo, 'v3/r2'),
  })
  try {
    const r2 = await mf.getR2Bucket(bucket)
    const out: StoredObject[] = []
    let cursor: string | undefined
    do {
      const page = await r2.list({ cursor, include: ['customMetadata'] })
      for (const o of page.objects) {
        const body = await r2.get(o.key)
        out.push({ key: o.key, bytes: new Uint8Array(await body!.arrayBuffer()), customMetadata: o.customMetadata ?? {} })
      }
      cursor = page.truncated ? page.cursor : undefined
    } while (cursor)
    return out
  } finally {
    await mf.dispose()
  }
}
