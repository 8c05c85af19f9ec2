/**
 * Loads the lake files of a range: lists them, takes each from Cache Storage when it is there (lake
 * files are immutable under their key) or downloads it (counting bytes for the progress bar) and keeps
 * it, then decodes it into DuckDB. Files already in DuckDB are skipped, so a refresh loads new files only.
 */
import type { Range } from '../../warehouse/sql/query.ts'
import { fetchFileStream, fetchUrl, listFiles, type LakeFile } from './api.ts'
import type { Lake, LakeTable } from './db.ts'

const CACHE = 'footfall-lake-v1'
/** Downloads in flight at once: enough to fill the pipe, few enough to decode as they arrive. */
const PARALLEL = 4

export interface Progress {
  files: number
  totalFiles: number
  bytes: number
  totalBytes: number
  fromCache: number
  fromNetwork: number
  done: boolean
}

export async function loadRange(
  lake: Lake,
  site: string,
  range: Range,
  table: LakeTable,
  onProgress: (p: Progress) => void,
): Promise<Progress> {
  const files = (await listFiles(site, range.from, range.to, table)).filter((f) => !lake.has(f.key))
  const p: Progress = { files: 0, totalFiles: files.length, bytes: 0, totalBytes: files.reduce((n, f) => n + f.bytes, 0), fromCache: 0, fromNetwork: 0, done: false }
  onProgress({ ...p })
  const cache = typeof caches === 'undefined' ? null : await caches.open(CACHE).catch(() => null)
  // Downloads run PARALLEL at a time, each file is decoded (in a Web Worker) as soon as it is there, and
  // the decoded files go into DuckDB one at a time (one connection); at most PARALLEL wait for that.
  let next = 0
  let inserting = Promise.resolve()
  let waiting = 0
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++]!
      const decoded = lake.decode(await get(f, cache, p, onProgress), table)
      waiting++
      const done = (inserting = inserting.then(async () => {
        await lake.insert(f.key, decoded, table)
        waiting--
        p.files++
        onProgress({ ...p })
      }))
      if (waiting > PARALLEL) await done
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, files.length) }, worker))
  await inserting
  if (files.length && table === 'events') await lake.commit()
  p.done = true
  onProgress({ ...p })
  return p
}

async function get(f: LakeFile, cache: Cache | null, p: Progress, onProgress: (p: Progress) => void): Promise<ArrayBuffer> {
  const hit = await cache?.match(f.url)
  if (hit) {
    const buf = await hit.arrayBuffer()
    p.fromCache++
    p.bytes += buf.byteLength
    onProgress({ ...p })
    return buf
  }
  const res = await fetchFileStream(f)
  const reader = res.body!.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
    p.bytes += value.byteLength
    onProgress({ ...p })
  }
  const buf = new Uint8Array(size)
  let at = 0
  for (const c of chunks) buf.set(c, at), (at += c.byteLength)
  p.fromNetwork++
  await cache?.put(f.url, new Response(buf, { headers: { 'Content-Type': 'application/vnd.apache.parquet' } })).catch(() => {})
  return buf.buffer
}

/** A small immutable lake object (a pageview rollup) from Cache Storage, else downloaded and kept; no progress. */
export async function getSmall(url: string): Promise<ArrayBuffer> {
  const cache = typeof caches === 'undefined' ? null : await caches.open(CACHE).catch(() => null)
  const hit = await cache?.match(url)
  if (hit) return hit.arrayBuffer()
  const buf = await fetchUrl(url)
  await cache?.put(url, new Response(buf, { headers: { 'Content-Type': 'application/vnd.apache.parquet' } })).catch(() => {})
  return buf
}

/** Forgets every cached lake file (sign-out). */
export async function clearCache(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(CACHE)
}
