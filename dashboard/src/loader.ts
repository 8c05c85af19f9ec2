/**
 * Loads the lake files of a range: lists them, takes each from Cache Storage when it is there (lake
 * files are immutable under their key) or downloads it (counting bytes for the progress bar) and keeps
 * it, then decodes it into DuckDB. Files already in DuckDB are skipped, so a refresh loads new files only.
 */
import type { SliceDim } from '../../warehouse/aggregate/columns.ts'
import { fetchUrlStream, type AggregateDay, type LakeFile, type ListedFile } from './api.ts'
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

/**
 * Loads the aggregate files of the local days `wanted` picks among `days` (`/api/aggregates`,
 * warehouse/aggregate; `day`: the day's midnight, ms): each file once, a month's file for all its days.
 * Downloaded PARALLEL at a time and decoded as they arrive, then inserted at once (`Lake.insertAggregates`
 * awaits the decodes); each replaces what was loaded for the days it holds. With `dim`, the days' slice
 * files of that dimension instead (listed with `slice`: a day without one is not wanted).
 */
export async function loadAggregates<D extends AggregateDay & { day: number }>(
  lake: Lake,
  days: readonly D[],
  wanted: (d: D) => boolean,
  onProgress: (p: Progress) => void,
  dim?: SliceDim,
): Promise<Progress> {
  const fileOf = (d: D): ListedFile | undefined => (dim ? d.slice : d)
  const held = new Map<string, number[]>()
  for (const d of days) {
    const f = fileOf(d)
    if (f) held.set(f.key, [...(held.get(f.key) ?? []), d.day])
  }
  const files = [
    ...new Map(
      days
        .filter((d) => wanted(d))
        .flatMap((d) => fileOf(d) ?? [])
        .filter((f) => !lake.has(f.key))
        .map((f) => [f.key, f]),
    ).values(),
  ]
  const p: Progress = {
    files: 0,
    totalFiles: files.length,
    bytes: 0,
    totalBytes: files.reduce((n, f) => n + f.bytes, 0),
    fromCache: 0,
    fromNetwork: 0,
    done: false,
  }
  onProgress({ ...p })
  const decoded: Parameters<Lake['insertAggregates']>[0][number][] = []
  let next = 0
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++]!
      // Small files: the next download starts while this one decodes (in the decode worker).
      const d = lake.decode(await get(f, p, onProgress), dim ? 'slices' : 'aggregates')
      decoded.push({ key: f.key, decoded: d, days: held.get(f.key)! })
      void d.ipc.then(
        () => (p.files++, onProgress({ ...p })),
        () => {},
      )
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, files.length) }, worker))
  await lake.insertAggregates(decoded, dim)
  p.done = true
  onProgress({ ...p })
  return p
}

/** Loads the files not loaded yet: downloads (or Cache Storage), decodes, inserts; then merges events. */
export async function loadFiles(
  lake: Lake,
  all: readonly { key: string; url: string; bytes: number }[],
  table: Exclude<LakeTable, 'aggregates' | 'slices'>,
  onProgress: (p: Progress) => void,
): Promise<Progress> {
  const files = all.filter((f) => !lake.has(f.key))
  const p: Progress = {
    files: 0,
    totalFiles: files.length,
    bytes: 0,
    totalBytes: files.reduce((n, f) => n + f.bytes, 0),
    fromCache: 0,
    fromNetwork: 0,
    done: false,
  }
  onProgress({ ...p })
  // Downloads run PARALLEL at a time, each file is decoded (in a Web Worker) as soon as it is there, and
  // the decoded files go into DuckDB one at a time (one connection); at most PARALLEL wait for that.
  let next = 0
  let inserting = Promise.resolve()
  let waiting = 0
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++]!
      const decoded = lake.decode(await get(f, p, onProgress), table)
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

async function get(f: Pick<LakeFile, 'url'>, p: Progress, onProgress: (p: Progress) => void): Promise<ArrayBuffer> {
  const { buf, from } = await fetchLake(f.url, (n) => ((p.bytes += n), onProgress({ ...p })))
  // A part the first chart downloaded a moment ago was downloaded for this load too.
  if (from === 'network' || aheadOfLoad.delete(f.url)) p.fromNetwork++
  else p.fromCache++
  onProgress({ ...p })
  return buf
}

/** A download in flight: its bytes so far, who counts them, how many callers wait for it, whether a load is one. */
interface Download {
  done: Promise<{ buf: Uint8Array; from: 'cache' | 'network' }>
  received: number
  onBytes: ((n: number) => void)[]
  waiting: number
  load: boolean
}
const inflight = new Map<string, Download>()
/** URLs the first chart downloaded (not from Cache Storage) that the events load has not taken yet. */
const aheadOfLoad = new Set<string>()

/**
 * A lake object by its `/data/` URL: from Cache Storage when it is there (lake objects are immutable under
 * their key), else downloaded and kept. Concurrent calls for one URL share one request: the first chart
 * (rollups.ts) and the events load need the same open-day parts. Each caller gets its own buffer (the
 * loader transfers its buffer to the decode worker, which detaches it): the last to take it the original,
 * the others a copy made before. `onBytes`, given by the events load, counts the bytes as they arrive (those
 * before a join at once).
 */
export async function fetchLake(url: string, onBytes?: (n: number) => void): Promise<{ buf: ArrayBuffer; from: 'cache' | 'network' }> {
  let d = inflight.get(url)
  if (!d) {
    const fresh: Download = { done: Promise.resolve(null!), received: 0, onBytes: [], waiting: 0, load: false }
    fresh.done = download(url, (n) => ((fresh.received += n), fresh.onBytes.forEach((f) => f(n))))
      // Downloaded for the first chart alone: the events load, coming next, will find it in Cache Storage.
      .then((r) => (r.from === 'network' && !fresh.load && aheadOfLoad.add(url), r))
      .finally(() => inflight.delete(url))
    inflight.set(url, (d = fresh))
  } else if (onBytes && d.received) onBytes(d.received)
  if (onBytes) d.onBytes.push(onBytes), (d.load = true)
  d.waiting++
  const { buf, from } = await d.done
  // The callers resume one after the other, all before any can transfer the original: the last takes it.
  return { buf: --d.waiting ? buf.slice().buffer : (buf.buffer as ArrayBuffer), from }
}

async function download(url: string, onBytes: (n: number) => void): Promise<{ buf: Uint8Array; from: 'cache' | 'network' }> {
  const cache = typeof caches === 'undefined' ? null : await caches.open(CACHE).catch(() => null)
  const hit = await cache?.match(url)
  if (hit) {
    const buf = new Uint8Array(await hit.arrayBuffer())
    onBytes(buf.byteLength)
    return { buf, from: 'cache' }
  }
  const res = await fetchUrlStream(url)
  const reader = res.body!.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
    onBytes(value.byteLength)
  }
  const buf = new Uint8Array(size)
  let at = 0
  for (const c of chunks) buf.set(c, at), (at += c.byteLength)
  // A Response copies its body: the buffer stays ours.
  await cache?.put(url, new Response(buf, { headers: { 'Content-Type': 'application/vnd.apache.parquet' } })).catch(() => {})
  return { buf, from: 'network' }
}

/** A lake object's bytes by URL (`fetchLake` without the counting): rollups and open-day parts for the first chart. */
export const getLake = async (url: string): Promise<ArrayBuffer> => (await fetchLake(url)).buf

/** Forgets every cached lake file (sign-out). */
export async function clearCache(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(CACHE)
}
