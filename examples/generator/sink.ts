/**
 * Where the backfill writes lake files: a directory (tests, other tools) or the local stack's R2, through
 * Miniflare with the persist directory `wrangler dev --persist-to` uses, as `npm start` does for the geo
 * database. Keys and custom metadata are the consumer's (warehouse/lake.ts), so `/api/files` lists them.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { LakeBucket } from '../../warehouse/compact.ts'

export interface Sink {
  put(key: string, body: ArrayBuffer, meta: Record<string, string>): Promise<void>
  /** Is any object stored under `prefix`? */
  has(prefix: string): Promise<boolean>
  close(): Promise<void>
  /** The bucket itself, where the sink is one (R2): the backfill then aggregates its closed days there. */
  bucket?: LakeBucket
}

/** A sink over a bucket with R2's API (Miniflare's, or warehouse/testing/bucket.ts in a bench). */
export function bucketSink(bucket: LakeBucket, close = async () => {}): Sink {
  return {
    async put(key, body, meta) {
      await bucket.put(key, body, { httpMetadata: { contentType: 'application/vnd.apache.parquet' }, customMetadata: meta })
    },
    async has(prefix) {
      return (await bucket.list({ prefix })).objects.length > 0
    },
    close,
    bucket,
  }
}

export function dirSink(dir: string): Sink {
  return {
    async put(key, body) {
      const path = join(dir, key)
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, new Uint8Array(body))
    },
    async has(prefix) {
      const { readdir } = await import('node:fs/promises')
      return readdir(join(dir, prefix)).then(
        (l) => l.length > 0,
        () => false,
      )
    },
    async close() {},
  }
}

/** The lake bucket of a local stack whose state is in `persistTo` (what `wrangler dev --persist-to` gets). */
export async function r2Sink(persistTo: string, bucket = 'footfall-lake'): Promise<Sink> {
  // miniflare is wrangler's own local runtime (installed with it, same pinned version).
  const { Miniflare } = await import('miniflare')
  const mf = new Miniflare({ modules: true, script: 'export default {}', r2Buckets: [bucket], r2Persist: join(persistTo, 'v3/r2') })
  const r2 = await mf.getR2Bucket(bucket)
  return bucketSink(r2 as unknown as LakeBucket, () => mf.dispose())
}
