/**
 * The time series from pageview rollups (warehouse/rollup.ts) instead of the raw events: what the overview
 * draws first on a range whose every events file is a compacted day file with a rollup (small files: the
 * chart appears before the events are downloaded, decoded and loaded). It must equal `series`
 * (queries/overview.ts) on the events, bucket for bucket; the browser test checks it.
 *
 * Exact only when: no filters (a rollup has no dimension), every file has a rollup (a merged file holds each
 * event once), and the range starts and ends on whole minutes (a rollup's unit). Otherwise: null, and the
 * dashboard waits for the events.
 */
import type { Bucket } from '../../warehouse/sql/buckets.ts'
import type { Range } from '../../warehouse/sql/query.ts'
import type { LakeFile } from './api.ts'

/** Pageviews per UTC minute: minute start (epoch ms) -> [non-bots, bots]. */
export type Minutes = Map<number, [number, number]>

const MINUTE_MS = 60_000
/** DuckDB's `time_bucket` origin for intervals without months (a Monday): week buckets start there. */
const ORIGIN = Date.UTC(2000, 0, 3)
/** BUCKETS' intervals (buckets.ts) in ms: the type makes a new bucket there need one here. */
const SIZE_MS: Record<Bucket, number> = { minute: MINUTE_MS, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 }

/** Whether the range is whole minutes: from on a minute, to the last millisecond of one (ranges are inclusive). */
export const wholeMinutes = (r: Range): boolean => r.from % MINUTE_MS === 0 && (r.to + 1) % MINUTE_MS === 0

/** Start of the bucket holding `t`, as DuckDB's `time_bucket(INTERVAL, t)` computes it. */
export const bucketStart = (t: number, b: Bucket): number => ORIGIN + Math.floor((t - ORIGIN) / SIZE_MS[b]) * SIZE_MS[b]

/** Adds a decoded rollup file's rows to `minutes`. */
export function addRollup(minutes: Minutes, rows: readonly { minute: unknown; is_bot: unknown; pageviews: unknown }[]): void {
  for (const r of rows) {
    const t = r.minute instanceof Date ? r.minute.getTime() : Number(r.minute)
    let m = minutes.get(t)
    if (!m) minutes.set(t, (m = [0, 0]))
    m[r.is_bot === true ? 1 : 0] += Number(r.pageviews)
  }
}

/** Rows (t as "YYYY-MM-DD HH:MM:SS" UTC, pageviews) of every bucket of the range, zeros included: `series`'s. */
export function rollupSeries(minutes: Minutes, r: Range, bucket: Bucket, bots: boolean): { t: string; pageviews: number }[] {
  const size = SIZE_MS[bucket]
  const counts = new Map<number, number>()
  for (let t = bucketStart(r.from, bucket); t <= r.to; t += size) counts.set(t, 0)
  for (const [minute, [human, bot]] of minutes) {
    if (minute < r.from || minute > r.to) continue // whole minutes: a minute is in the range or out of it
    const k = bucketStart(minute, bucket)
    counts.set(k, counts.get(k)! + human + (bots ? bot : 0))
  }
  return [...counts].map(([t, pageviews]) => ({ t: new Date(t).toISOString().slice(0, 19).replace('T', ' '), pageviews }))
}

/** Pageviews of the range. */
export function rollupPageviews(minutes: Minutes, r: Range, bots: boolean): number {
  let n = 0
  for (const [minute, [human, bot]] of minutes) if (minute >= r.from && minute <= r.to) n += human + (bots ? bot : 0)
  return n
}

/**
 * The minutes of the listed events files, or null when one has no rollup (then only the events are exact).
 * `get` fetches a rollup by URL (Cache Storage first: rollups are immutable under their key).
 */
export async function loadMinutes(files: readonly LakeFile[], get: (url: string) => Promise<ArrayBuffer>): Promise<Minutes | null> {
  if (!files.every((f) => f.rollup)) return null
  const { parquetReadObjects } = await import('hyparquet')
  const minutes: Minutes = new Map()
  const decoded = await Promise.all(files.map(async (f) => parquetReadObjects({ file: await get(f.rollup!.url) })))
  for (const rows of decoded) addRollup(minutes, rows as { minute: unknown; is_bot: unknown; pageviews: unknown }[])
  return minutes
}
