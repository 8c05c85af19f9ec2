/**
 * The time series from the aggregate tier (warehouse/aggregate), pageview rollups (warehouse/rollup.ts) and
 * the small files of the open day, instead of the raw events loaded into DuckDB: what the overview draws
 * first (the chart appears before DuckDB has started, and before the events are downloaded, decoded and
 * loaded). It must equal `series` (warehouse/sql/overview.ts) on the events, bucket for bucket; the browser tests
 * check it.
 *
 * The mechanism: pageviews at a time. An aggregated day contributes its `quarter` rows (non-bot pageviews
 * per 15 minutes, which lie in one bucket of any zone) at their start; of the rest of a range, a compacted
 * day file contributes its rollup's rows at their minute's start, and a file without a rollup (the open
 * day's hour parts and merged hours) is decoded, only the five columns needed, and contributes each pageview
 * at its exact time, deduplicated on event id keeping the copy received first, as the `events` view does
 * (warehouse/sql/ddl.ts). Each source counts only inside its part of the range: a time is in a range or out.
 *
 * Exact only when (`inexact` says why not; then null, and the dashboard waits for the events):
 * - no filters (a rollup has no dimension): the caller's check;
 * - no range boundary off a minute falls in a minute a rolled-up file covers (a rollup minute cannot be
 *   split); relative ranges are whole minutes (state.ts), so only custom ranges can fail this;
 * - no date holds both a rolled-up day file and files without a rollup (a late part may repeat an event
 *   the day file holds, and a rollup cannot say which: counted twice);
 * - the files without a rollup hold at most `MAX_PART_ROWS` rows or a quarter of the range's (they are
 *   decoded twice: here, then for DuckDB).
 */
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { BUCKET_MS, bucketStartMs, offsetAt, UTC_OFFSETS, type Bucket, type Offsets } from '../../warehouse/sql/buckets.ts'
import type { Range } from '../../warehouse/sql/query.ts'
import { COLUMNS } from '../../warehouse/schema.ts'
import type { LakeFile } from './api.ts'
import { directRead } from './decode.ts'

/** Pageviews at a time (epoch ms: a rollup minute's start, or a part event's exact time) -> [non-bots, bots]. */
export type Timeline = Map<number, [number, number]>

/**
 * Rows of files without a rollup decoded for the first chart at most, unless they are at most a quarter
 * (`MAX_PART_SHARE`) of the range's rows. Decoding their five columns (direct reader) and deduplicating
 * takes ~1.7 µs a row in Node here (rollups.test.ts prints it): 500K rows cost ~0.8 s on the main thread
 * and some 50 MB, against the ~5 s the events take to load at that size (bench/RESULTS.md); a quarter of a
 * range is always worth it (10M events: today's ~600K rows, ~1 s, against ~110 s for the events). A lake
 * whose files without a rollup are more (no rollups yet, the compactor behind) waits for the events.
 */
export const MAX_PART_ROWS = 500_000
export const MAX_PART_SHARE = 0.25

const MINUTE_MS = BUCKET_MS.minute
/** The columns a file without a rollup is decoded for. */
const EVENT_COLUMNS = COLUMNS.filter((c) => ['event_id', 'type', 'event_time', 'received_time', 'is_bot'].includes(c.name))

function add(timeline: Timeline, t: number, bot: boolean, n: number): void {
  let m = timeline.get(t)
  if (!m) timeline.set(t, (m = [0, 0]))
  m[bot ? 1 : 0] += n
}

/** Adds a decoded rollup file's rows to `timeline`, at their minute's start. */
export function addRollup(timeline: Timeline, rows: readonly { minute: unknown; is_bot: unknown; pageviews: unknown }[]): void {
  for (const r of rows)
    add(timeline, r.minute instanceof Date ? r.minute.getTime() : Number(r.minute), r.is_bot === true, Number(r.pageviews))
}

/** Events of a file without a rollup, column-wise (times in epoch ms). */
export interface PartEvents {
  event_id: ArrayLike<unknown>
  type: ArrayLike<unknown>
  event_time: ArrayLike<number>
  received_time: ArrayLike<number>
  is_bot: ArrayLike<unknown>
}

/**
 * Adds the pageviews of files without a rollup to `timeline`, each at its exact time: one per event id, the
 * copy received first (queues deliver at least once: a redelivered batch is a second part file).
 */
export function addEvents(timeline: Timeline, files: readonly PartEvents[]): void {
  const slot = new Map<unknown, number>() // event id -> index in the arrays below
  const received: number[] = []
  const time: number[] = []
  const kind: number[] = [] // 0: not a pageview, 1: a pageview, 2: a bot's pageview
  for (const f of files) {
    for (let i = 0; i < f.event_id.length; i++) {
      const k = f.type[i] === 'pageview' ? (f.is_bot[i] === true ? 2 : 1) : 0
      const s = slot.get(f.event_id[i])
      if (s === undefined) {
        slot.set(f.event_id[i], received.length)
        received.push(f.received_time[i]!), time.push(f.event_time[i]!), kind.push(k)
      } else if (f.received_time[i]! < received[s]!) {
        ;(received[s] = f.received_time[i]!), (time[s] = f.event_time[i]!), (kind[s] = k)
      }
    }
  }
  for (let s = 0; s < kind.length; s++) if (kind[s]) add(timeline, time[s]!, kind[s] === 2, 1)
}

/**
 * Rows (t as "YYYY-MM-DD HH:MM:SS", a bucket's local start, pageviews) of every bucket of the range, zeros
 * included: `series`'s, with the zone's `offsets` over the range (buckets.ts).
 */
export function rollupSeries(
  timeline: Timeline,
  r: Range,
  bucket: Bucket,
  bots: boolean,
  offsets: Offsets = UTC_OFFSETS,
): { t: string; pageviews: number }[] {
  const size = BUCKET_MS[bucket]
  const counts = new Map<number, number>()
  for (let t = bucketStartMs(r.from, bucket, offsets); t <= r.to + offsetAt(offsets, r.to); t += size) counts.set(t, 0)
  for (const [t, [human, bot]] of timeline) {
    if (t < r.from || t > r.to) continue // exact: `inexact` refused ranges that split a rollup minute
    const k = bucketStartMs(t, bucket, offsets)
    counts.set(k, counts.get(k)! + human + (bots ? bot : 0))
  }
  return [...counts].map(([t, pageviews]) => ({ t: new Date(t).toISOString().slice(0, 19).replace('T', ' '), pageviews }))
}

/** Pageviews of the range. */
export function rollupPageviews(timeline: Timeline, r: Range, bots: boolean): number {
  let n = 0
  for (const [t, [human, bot]] of timeline) if (t >= r.from && t <= r.to) n += human + (bots ? bot : 0)
  return n
}

/** The date partition of a lake key (`.../date=YYYY-MM-DD/...`). */
const dateOf = (key: string) => /\/date=([^/]+)\//.exec(key)?.[1] ?? key

/**
 * Why pageviews at a time from these files cannot be exact on these ranges (see the file's header), or null
 * when they can.
 */
export function inexact(files: readonly LakeFile[], ranges: readonly Range[]): string | null {
  const rolled = new Set<string>()
  const open = new Set<string>()
  let openRows = 0
  let rows = 0
  for (const f of files) {
    rows += f.rows
    if (f.rollup) rolled.add(dateOf(f.key))
    else open.add(dateOf(f.key)), (openRows += f.rows)
  }
  for (const d of rolled) if (open.has(d)) return `${d} has a rolled-up day file and files without a rollup`
  if (openRows > MAX_PART_ROWS && openRows > rows * MAX_PART_SHARE) {
    return `files without a rollup hold ${openRows} of ${rows} rows (more than ${MAX_PART_ROWS} and a quarter)`
  }
  // A boundary off a minute splits its minute: no rolled-up file may have events in it.
  const splits = (b: number) => {
    const m = Math.floor(b / MINUTE_MS) * MINUTE_MS
    return files.find((f) => f.rollup && Date.parse(f.minTime) < m + MINUTE_MS && Date.parse(f.maxTime) >= m)
  }
  for (const r of ranges) {
    const f = (r.from % MINUTE_MS !== 0 && splits(r.from)) || ((r.to + 1) % MINUTE_MS !== 0 && splits(r.to))
    if (f) return `a range boundary splits a minute of ${f.key}'s rollup`
  }
  return null
}

/** Keeps only the times of `timeline` within one of `ranges`. */
export function restrict(timeline: Timeline, ranges: readonly Range[]): Timeline {
  for (const t of [...timeline.keys()]) if (!ranges.some((r) => t >= r.from && t <= r.to)) timeline.delete(t)
  return timeline
}

/** An aggregate file's quarter hours: non-bot pageviews at each quarter's start (epoch ms). */
export async function readQuarters(file: ArrayBuffer): Promise<{ t: number; pageviews: number }[]> {
  const rows = await parquetReadObjects({ file, columns: ['dim', 't', 'pageviews'] })
  const out: { t: number; pageviews: number }[] = []
  for (const r of rows)
    if (r.dim === 'quarter') out.push({ t: r.t instanceof Date ? r.t.getTime() : Number(r.t), pageviews: Number(r.pageviews) })
  return out
}

/** Adds quarter hours (`readQuarters`) lying within one of `ranges` to `timeline` (aggregates hold no bots). */
export function addQuarters(timeline: Timeline, quarters: readonly { t: number; pageviews: number }[], ranges: readonly Range[]): void {
  for (const q of quarters) if (q.pageviews && ranges.some((r) => q.t >= r.from && q.t <= r.to)) add(timeline, q.t, false, q.pageviews)
}

/** A rollup file's rows. */
async function readRollup(file: ArrayBuffer) {
  return (await parquetReadObjects({ file })) as { minute: unknown; is_bot: unknown; pageviews: unknown }[]
}

/** The columns `addEvents` needs of an events file: the direct reader (decode.ts), else hyparquet's. */
export async function readEvents(file: ArrayBuffer): Promise<PartEvents> {
  const v = directRead(file, parquetMetadata(file), EVENT_COLUMNS)
  if (v) {
    const ms = (name: string) => Float64Array.from(v[name]!.toArray() as BigInt64Array, Number)
    return {
      event_id: v.event_id!.toArray(),
      type: v.type!.toArray(),
      event_time: ms('event_time'),
      received_time: ms('received_time'),
      is_bot: v.is_bot!.toArray(),
    }
  }
  const rows = await parquetReadObjects({ file, columns: EVENT_COLUMNS.map((c) => c.name) })
  const col = (name: string) => rows.map((r) => r[name])
  const ms = (name: string) => Float64Array.from(rows, (r) => Number(r[name] instanceof Date ? (r[name] as Date).getTime() : r[name]))
  return {
    event_id: col('event_id'),
    type: col('type'),
    event_time: ms('event_time'),
    received_time: ms('received_time'),
    is_bot: col('is_bot'),
  }
}

/**
 * Pageviews at a time of the listed events files for `ranges`, or null when that would not be exact
 * (`inexact`). `get` fetches a lake object by URL (the loader's: Cache Storage first, each download shared
 * with the events load, which needs the same parts).
 */
export async function loadTimeline(
  files: readonly LakeFile[],
  ranges: readonly Range[],
  get: (url: string) => Promise<ArrayBuffer>,
): Promise<Timeline | null> {
  if (inexact(files, ranges)) return null
  const [rollups, parts] = await Promise.all([
    Promise.all(files.filter((f) => f.rollup).map(async (f) => readRollup(await get(f.rollup!.url)))),
    Promise.all(files.filter((f) => !f.rollup).map(async (f) => readEvents(await get(f.url)))),
  ])
  const timeline: Timeline = new Map()
  for (const rows of rollups) addRollup(timeline, rows)
  addEvents(timeline, parts)
  return timeline
}
