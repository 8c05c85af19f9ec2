/**
 * The aggregate tier's cron job: after compaction, each closed local day of each site gets its aggregate
 * file (columns.ts), built from the day's compacted events (build.ts), and built again whenever the files it
 * was built from change (late events, a redelivery, a re-compaction): the aggregate's `sources` metadata is
 * a digest of those files' keys, and a merged file's key changes with its content (compact.ts).
 *
 * Readiness: every UTC date the day (and the 30 minutes before it) touches is closed, so its events sit in
 * compacted files. The files read reach past the day's end only as far as its last sessions go; they may
 * still be parts of an open hour, which the digest then covers, so the day is rebuilt once they merge.
 */
import { deleteKeys, listPrefixes, readColumns, type LakeBucket } from '../compact.ts'
import {
  aggregateKey,
  aggregatePrefix,
  datePrefix,
  datesBetween,
  hoursOf,
  keysDigest,
  listAll,
  parseAggregateKey,
  parseSliceKey,
  sliceKey,
  visibleObjects,
} from '../lake.ts'
import { receivedEarlier } from '../dedup.ts'
import { writeColumns } from '../parquet.ts'
import { COLUMNS } from '../schema.ts'
import { AGGREGATE_COLUMNS, INPUT_COLUMNS, SLICE_COLUMNS, SLICE_DIMS, type SliceDim } from './columns.ts'
import { DayAggregator, type Chunk } from './build.ts'
import { aggregateMonths } from './months.ts'
import { addDays, localDate, localDay } from './zone.ts'
import { DAY, HOUR } from '../time.ts'

const INPUT = COLUMNS.filter((c) => (INPUT_COLUMNS as readonly string[]).includes(c.name))

export interface AggregateOptions {
  now: number
  /** The site's IANA time zone (default UTC). */
  tz?: string
  /** A UTC date is closed this long after its end (compaction's day grace, default 2 h). */
  dayGraceMs?: number
  /**
   * The events the slice passes may still read (shared across calls, decremented): a pass starts only while
   * it is positive, so a cron run does at most about this much slice work besides its days' own passes.
   * Without it, every slice due is built.
   */
  sliceBudget?: { events: number }
}

/** Events of slice passes a cron run reads at most (about one day of 1M events: one pass's CPU time). */
export const SLICE_EVENTS_PER_RUN = 1_000_000

/** A lake file as the aggregation reads it: key, upload time, its UTC hours. */
interface Source {
  key: string
  date: string
  first: number
  last: number
}

/** The visible files of the UTC dates a window touches, in time order, with their hours. */
async function sources(
  lake: LakeBucket,
  site: string,
  window: { from: number; to: number },
): Promise<{ files: Source[]; compacted: Set<string> }> {
  const files: Source[] = []
  const compacted = new Set<string>()
  for (const date of datesBetween(new Date(window.from), new Date(window.to))) {
    const { visible } = visibleObjects(await listAll(lake, datePrefix(site, date)))
    const dayStart = Date.parse(`${date}T00:00:00Z`)
    let onlyDayFiles = true
    for (const o of visible) {
      const h = hoursOf(o.key)
      if (!h) continue
      if (o.key.includes('/hour=')) onlyDayFiles = false
      // Only the files whose hours overlap the window.
      if (dayStart + (h.last + 1) * HOUR <= window.from || dayStart + h.first * HOUR > window.to) continue
      files.push({ key: o.key, date, ...h })
    }
    if (onlyDayFiles) compacted.add(date)
  }
  files.sort((a, b) => a.date.localeCompare(b.date) || a.first - b.first || a.key.localeCompare(b.key))
  return { files, compacted }
}

/** Files whose hours overlap are read together (parts of one hour); the groups follow each other in time. */
function groups(files: Source[]): Source[][] {
  const out: Source[][] = []
  for (const f of files) {
    const g = out[out.length - 1]
    if (g && g[0]!.date === f.date && g.some((x) => x.first <= f.last && f.first <= x.last)) g.push(f)
    else out.push([f])
  }
  return out
}

/**
 * Reads a group of files (one site's) as one chunk: deduplicated on event id keeping the copy received first
 * (warehouse/dedup.ts), sorted by (event_time, event_id).
 */
async function readGroup(lake: LakeBucket, group: Source[]): Promise<Chunk> {
  const parts = await Promise.all(group.map((f) => readColumns(lake, INPUT, f.key)))
  const received = INPUT.findIndex((c) => c.name === 'received_time')
  const kept = new Map<string, number>() // event id -> index in rows
  const rows: [number, number][] = [] // (part, row)
  parts.forEach((cols, p) => {
    const id = cols[0] as string[]
    for (let i = 0; i < id.length; i++) {
      const k = kept.get(id[i]!)
      if (k === undefined) kept.set(id[i]!, rows.length), rows.push([p, i])
      else if (receivedEarlier(Number(cols[received]![i]), Number(parts[rows[k]![0]]![received]![rows[k]![1]]))) rows[k] = [p, i]
    }
  })
  const time = INPUT.findIndex((c) => c.name === 'event_time')
  const at = (r: [number, number]) => parts[r[0]]![time]![r[1]] as number
  const idOf = (r: [number, number]) => parts[r[0]]![0]![r[1]] as string
  rows.sort((a, b) => at(a) - at(b) || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0))
  return Object.fromEntries(INPUT.map((c, j) => [c.name, rows.map(([p, i]) => parts[p]![j]![i])]))
}

export interface DayResult {
  /** The day's aggregate file (null: none, yet or at all). */
  key: string | null
  /** built: written now; fresh: already up to date; waiting: a date it needs is not closed yet; empty: no events, none before. */
  status: 'built' | 'fresh' | 'waiting' | 'empty'
  rows?: number
  /** Event files read (built): none for a day without events. */
  files?: number
  /** The slice files written (the day's, or a fresh day's missing ones). */
  slices?: number
}

/**
 * Builds the aggregate of one local day of a site if it is ready and missing or stale. Idempotent: a
 * second run finds it fresh. Memory: one group of input files at a time plus the day's aggregation state.
 */
export async function aggregateDay(lake: LakeBucket, site: string, date: string, o: AggregateOptions): Promise<DayResult> {
  const tz = o.tz ?? 'UTC'
  const grace = o.dayGraceMs ?? 2 * HOUR
  const agg = new DayAggregator(localDay(date, tz))
  const need = { from: agg.window.from, to: agg.to }
  // Closed: every UTC date from the gap before the day to its end has ended, with the grace.
  const lastDate = new Date(need.to).toISOString().slice(0, 10)
  if (o.now < Date.parse(`${lastDate}T00:00:00Z`) + DAY + grace) return { key: null, status: 'waiting' }
  const { files, compacted } = await sources(lake, site, agg.window)
  for (const d of datesBetween(new Date(need.from), new Date(need.to))) if (!compacted.has(d)) return { key: null, status: 'waiting' }

  // What the day depends on: the files up to its end and the gap after it (later ones only if sessions go on).
  const start = (f: Source) => Date.parse(`${f.date}T00:00:00Z`) + f.first * HOUR
  const near = files.filter((f) => start(f) <= agg.to + agg.gap)
  const key = aggregateKey(site, date, tz, await keysDigest(near.map((f) => f.key)))
  // The day's earlier aggregates in this zone, and their slices: replaced (after the new ones are written) or kept if current.
  const listed = (await listAll(lake, aggregatePrefix(site, date))).map((x) => x.key)
  const inZone = (k: string) => parseAggregateKey(parseSliceKey(k)?.aggregate ?? k)?.tz === tz
  const earlier = listed.filter((k) => inZone(k) && k !== key && parseSliceKey(k)?.aggregate !== key)
  const slicesDue = SLICE_DIMS.filter((dim) => !listed.includes(sliceKey(key, dim)))
  if (listed.includes(key) && !slicesDue.length) return { key, status: 'fresh' }
  // A day no file overlaps gets an empty aggregate when the day before has one (readers then see the site's
  // days covered without a gap since its first), and none before the site's first day.
  if (!near.some((f) => start(f) <= agg.to && start(f) + (f.last - f.first + 1) * HOUR > agg.from)) {
    const before = (await listAll(lake, aggregatePrefix(site, addDays(date, -1)))).some((x) => parseAggregateKey(x.key)?.tz === tz)
    if (!before) {
      await deleteKeys(lake, earlier)
      return { key: null, status: 'empty' }
    }
  }
  // One pass over the files for the day's rows, one for each slice dimension's (build.ts): the same events,
  // so that memory stays that of one pass. A day already built only gains the slices it lacks.
  let read = 0,
    events = 0
  const pass = async (by?: SliceDim): Promise<unknown[][] | null> => {
    const day = by ? new DayAggregator({ ...localDay(date, tz), by }) : agg
    const seen = new Set<string>()
    read = 0
    events = 0
    const readAll = async (list: Source[]) => {
      for (const g of groups(list.filter((f) => !seen.has(f.key)))) {
        if (day.done) break
        const chunk = await readGroup(lake, g)
        day.add(chunk)
        for (const f of g) seen.add(f.key)
        read += g.length
        events += chunk.event_id!.length
      }
    }
    await readAll(files)
    // A session of the day still open one day after it (a visit of more than a day without a 30-minute gap)
    // is followed date by date until it ends, as the SQL library builds a session from all of its events.
    for (let end = day.window.to; !day.done && day.openAt(end); ) {
      const next = new Date(end + 1).toISOString().slice(0, 10)
      const dateEnd = Date.parse(`${next}T00:00:00Z`) + DAY - 1
      if (o.now < dateEnd + 1 + grace) return null
      const more = await sources(lake, site, { from: end + 1, to: dateEnd })
      if (!more.compacted.has(next)) return null
      if (!more.files.some((f) => !seen.has(f.key))) break
      await readAll(more.files)
      end = dateEnd
    }
    return day.finish()
  }
  const fresh = listed.includes(key)
  let rows = 0
  if (!fresh) {
    const columns = await pass()
    if (!columns) return { key: null, status: 'waiting' }
    rows = columns[0]!.length
    await lake.put(key, writeColumns(AGGREGATE_COLUMNS, columns), {
      httpMetadata: { contentType: 'application/vnd.apache.parquet' },
      customMetadata: { rows: String(rows), from: String(agg.from), to: String(agg.to) },
    })
  }
  const files0 = read
  let slices = 0
  for (const dim of slicesDue) {
    if (o.sliceBudget && o.sliceBudget.events <= 0) break
    const columns = await pass(dim)
    if (!columns) break
    if (o.sliceBudget) o.sliceBudget.events -= Math.max(events, 1)
    await lake.put(sliceKey(key, dim), writeColumns(SLICE_COLUMNS, columns), {
      httpMetadata: { contentType: 'application/vnd.apache.parquet' },
      customMetadata: { rows: String(columns[0]!.length), from: String(agg.from), to: String(agg.to) },
    })
    slices++
  }
  // The earlier files go once the new ones are there (a reader finds the day's aggregate at every moment).
  await deleteKeys(lake, earlier)
  return { key, status: fresh ? 'fresh' : 'built', rows, files: files0, slices }
}

/** The local dates to look at: `days` back from `now` in zone `tz`, oldest first. */
export function recentDates(now: number, days: number, tz = 'UTC'): string[] {
  const today = localDate(now, tz)
  return Array.from({ length: days + 1 }, (_, i) => addDays(today, i - days))
}

/**
 * Local dates older than the cron's recent days that have events but no aggregate in zone `tz`, oldest
 * first: the days of a lake older than the aggregate tier (or of a zone just changed). From one listing of
 * the site's dates and one of its aggregates.
 */
export async function unaggregatedDates(lake: LakeBucket, site: string, tz: string, before: string): Promise<string[]> {
  const utc = (await listPrefixes(lake, `events/site=${site}/`))
    .map((p) => /date=(\d{4}-\d\d-\d\d)\/$/.exec(p)?.[1])
    .filter((d): d is string => !!d)
  if (!utc.length) return []
  const done = new Set(
    (await listAll(lake, aggregatePrefix(site)))
      .map((o) => parseAggregateKey(o.key))
      .filter((k) => k?.tz === tz)
      .map((k) => k!.date),
  )
  // From the local date the first UTC date begins in, every local date up to `before`: days without
  // events after the first get an (empty) aggregate too, so coverage has no gaps (aggregateDay).
  const out: string[] = []
  for (let d = localDate(Date.parse(`${utc[0]}T00:00:00Z`), tz); d < before; d = addDays(d, 1)) if (!done.has(d)) out.push(d)
  return out
}

/**
 * The local dates in zone `tz` whose aggregate lacks a slice (columns.ts `SLICE_DIMS`): days built before
 * slices existed, or rebuilt by a late event. Newest first.
 */
export async function unslicedDates(lake: LakeBucket, site: string, tz: string): Promise<string[]> {
  const keys = new Set((await listAll(lake, aggregatePrefix(site))).map((o) => o.key))
  const newest = new Map<string, string>()
  for (const k of keys) {
    const a = parseAggregateKey(k)
    if (a?.tz === tz && (newest.get(a.date) ?? '') < k) newest.set(a.date, k)
  }
  return [...newest]
    .filter(([, k]) => SLICE_DIMS.some((d) => !keys.has(sliceKey(k, d))))
    .map(([date]) => date)
    .sort((a, b) => b.localeCompare(a))
}

/**
 * Builds what is due for every site (the cron's job); `zones` maps a site to its time zone. Besides the
 * recent `days`, up to `backfill` older days without an aggregate (`unaggregatedDates`) are built a run,
 * oldest first, so a lake older than the tier gains its aggregates run by run, within the cron's CPU time;
 * then the slices still missing (newest days first, `sliceEvents` events of slice passes a run at most);
 * then the month files of closed months (months.ts).
 */
export async function aggregateLake(
  lake: LakeBucket,
  sites: string[],
  o: { now: number; days?: number; zones?: Record<string, string>; backfill?: number; sliceEvents?: number },
): Promise<{ built: string[]; failed: string[] }> {
  const out = { built: [] as string[], failed: [] as string[] }
  const sliceBudget = { events: o.sliceEvents ?? SLICE_EVENTS_PER_RUN }
  for (const site of sites) {
    const tz = o.zones?.[site] ?? 'UTC'
    const recent = recentDates(o.now, o.days ?? 7, tz)
    const build = async (date: string): Promise<DayResult | null> => {
      try {
        const r = await aggregateDay(lake, site, date, { now: o.now, tz, sliceBudget })
        if (r.status === 'built') out.built.push(r.key!)
        return r
      } catch (e) {
        out.failed.push(`${site}/${date}: ${(e as Error).message}`)
        return null
      }
    }
    const budget = o.backfill ?? 2
    if (budget > 0) {
      try {
        // Only days that read events count (an empty day's aggregate costs a listing), at most 10 × budget days a run.
        let spent = 0
        for (const date of (await unaggregatedDates(lake, site, tz, recent[0]!)).slice(0, 10 * budget)) {
          if (spent >= budget) break
          const r = await build(date)
          if (!r || (r.files ?? 0) > 0) spent++
        }
      } catch (e) {
        out.failed.push(`${site}: ${(e as Error).message}`)
      }
    }
    for (const date of recent) await build(date)
    try {
      for (const date of await unslicedDates(lake, site, tz)) {
        if (sliceBudget.events <= 0) break
        await build(date)
      }
    } catch (e) {
      out.failed.push(`${site} slices: ${(e as Error).message}`)
    }
    // Then the closed months whose days are all built, one file each (months.ts).
    try {
      const month = `${localDate(o.now, tz).slice(0, 7)}-01`
      out.built.push(...(await aggregateMonths(lake, site, { now: o.now, tz, missing: await unaggregatedDates(lake, site, tz, month) })))
    } catch (e) {
      out.failed.push(`${site} months: ${(e as Error).message}`)
    }
  }
  return out
}
