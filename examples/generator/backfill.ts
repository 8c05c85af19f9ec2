/**
 * Backfill: `days` x `eventsPerDay` events of the simulated shop written straight into the lake, one
 * Parquet file per (day, hour), through the consumer's writer (warehouse/parquet.ts) and keys
 * (warehouse/lake.ts). Deterministic: the same options give byte-identical files.
 */
import { datesBetween, dayMergedKey, encodeMeta, partitionOf, partKey } from '../../warehouse/lake.ts'
import { aggregateDay, unaggregatedDates } from '../../warehouse/aggregate/job.ts'
import { aggregateMonths } from '../../warehouse/aggregate/months.ts'
import { localDate } from '../../warehouse/aggregate/zone.ts'
import { DAY_FILE_ROWS } from '../../warehouse/compact.ts'
import { rollupKey, writeRollup } from '../../warehouse/rollup.ts'
import { timeRange, writeEvents } from '../../warehouse/parquet.ts'
import { SCHEMA_VERSION, type EventRow } from '../../warehouse/schema.ts'
import { newVisitor, nextVisitStart, session, type Visitor } from './model.ts'
import { Progress } from './progress.ts'
import { hash32, Random } from './random.ts'
import { rowMaker } from './rows.ts'
import type { Sink } from './sink.ts'
import { DAY, HOUR } from '../../warehouse/time.ts'

/** Share of traffic by UTC hour: quiet nights, a late-morning and an evening peak. */
const HOURLY = [2, 1.5, 1, 1, 1, 1.5, 3, 5, 7, 8, 9, 9, 8.5, 8, 7.5, 7, 7, 7.5, 8.5, 9.5, 9, 7, 5, 3].map((w, h) => [w, h] as const)

export interface BackfillOptions {
  sink: Sink
  days: number
  eventsPerDay: number
  /** Last day (YYYY-MM-DD, UTC); default today. A day that has not ended gets events only up to `now`. */
  end?: string
  now?: number
  seed?: string
  site?: string
  /** The shop's base URL (its host is stored as the page host). */
  base?: string
  quiet?: boolean
  /** The site's time zone, for the aggregates of its closed days (default UTC). */
  tz?: string
  /**
   * Whether to write the days' slices too (default true). `npm start` leaves them to the local cron's first
   * run, as a deployed cron writes them after a day's own file (warehouse/aggregate/job.ts).
   */
  slices?: boolean
}

export interface BackfillResult {
  days: string[]
  events: number
  /** Visits with at least one event written (a visitor's visits are more than 30 minutes apart). */
  visits: number
  files: number
  bytes: number
  /** Aggregate files written (warehouse/aggregate): one per closed local day, where the sink is a bucket. */
  aggregates: number
  /** Month files written (warehouse/aggregate/months.ts): one per closed local month whose days are all aggregated. */
  months: number
  seconds: number
}

export async function backfill(opt: BackfillOptions): Promise<BackfillResult> {
  const { sink, days, eventsPerDay, seed = 'footfall', site = 'demo', base = 'http://localhost:8787/demo/' } = opt
  const now = opt.now ?? Date.now()
  const last = opt.end ? new Date(`${opt.end}T00:00:00Z`) : new Date(now)
  const first = new Date(last.getTime() - (days - 1) * DAY)
  const dates = datesBetween(first, last)
  const rng = new Random(seed)
  const maker = rowMaker(site, seed)
  const visitors: Visitor[] = []
  const lastEvent = new Map<number, number>()
  const tag = hash32(`${seed}|${site}`).toString(36)
  const progress = new Progress('backfill', dates.length * eventsPerDay, opt.quiet)
  const result: BackfillResult = { days: dates, events: 0, visits: 0, files: 0, bytes: 0, aggregates: 0, months: 0, seconds: 0 }
  const writes: Promise<void>[] = []

  for (const date of dates) {
    const dayRng = rng.fork(date)
    const start = Date.parse(`${date}T00:00:00Z`)
    const stop = Math.min(start + DAY, now)
    if (stop <= start) throw new Error(`day ${date} has not begun: nothing can be backfilled for it`)
    let n = 0
    const nextId = () => `bf${tag}-${date.replaceAll('-', '')}-${(n++).toString(36).padStart(6, '0')}`
    const hours = new Map<number, EventRow[]>()
    let count = 0
    while (count < eventsPerDay) {
      const wanted = startTime(dayRng, start, stop)
      // A returning visitor (if one is free then: visits of one visitor are more than 30 minutes apart).
      let v: Visitor | undefined
      if (visitors.length && dayRng.chance(0.3)) {
        const candidate = dayRng.pick(visitors)
        const t = lastEvent.get(candidate.index)
        if (dayRng.chance(candidate.loyalty) && nextVisitStart(dayRng, t, wanted) === wanted) v = candidate
      }
      if (!v) visitors.push((v = newVisitor(dayRng, visitors.length)))
      const events = session(dayRng, v, wanted, { base, nextId })
      if (events[0]!.ts < stop) result.visits++
      for (const e of events) {
        if (e.ts >= stop || count === eventsPerDay) break
        const hour = Math.floor((e.ts - start) / HOUR)
        let rows = hours.get(hour)
        if (!rows) hours.set(hour, (rows = []))
        rows.push(await maker.row(e, v))
        lastEvent.set(v.index, e.ts)
        count++
      }
      progress.update(result.events + count)
    }
    // A closed day is written as the compactor would leave it: hour-aligned day files of at most
    // DAY_FILE_ROWS rows covering 00-23 together, each with its pageview rollup (15 files for 15 days, not 360 hourly parts for the
    // dashboard to fetch). The day still in progress gets hourly parts, which the cron compacts later.
    const closed = stop === start + DAY
    const spans: { first: number; last: number; rows: EventRow[] }[] = []
    for (const [hour, rows] of [...hours].sort((a, b) => a[0] - b[0])) {
      const open = spans.at(-1)
      if (closed && open && open.rows.length + rows.length <= DAY_FILE_ROWS) (open.last = hour), open.rows.push(...rows)
      else spans.push({ first: closed && !open ? 0 : hour, last: hour, rows })
    }
    if (closed && spans.length) spans.at(-1)!.last = 23
    for (const [i, span] of spans.entries()) {
      if (closed && i > 0) span.first = spans[i - 1]!.last + 1
      const { rows } = span
      rows.sort((a, b) => a.event_time - b.event_time)
      const parquet = writeEvents(rows)
      const hh = (h: number) => String(h).padStart(2, '0')
      const key = closed
        ? dayMergedKey(site, date, hh(span.first), hh(span.last), `backfill-${tag}`)
        : partKey(partitionOf(site, start + span.first * HOUR), `backfill-${tag}-${date}-${hh(span.first)}`)
      const meta = encodeMeta({ rows: rows.length, ...timeRange(rows), schema: SCHEMA_VERSION })
      // A day file gets its pageview rollup beside it, as the compactor writes it (warehouse/rollup.ts).
      if (closed)
        writes.push(
          sink.put(
            rollupKey(key),
            writeRollup(
              rows.map((r) => r.type),
              rows.map((r) => r.event_time),
              rows.map((r) => r.is_bot),
            ),
            { of: key },
          ),
        )
      writes.push(sink.put(key, parquet, meta))
      result.files++
      result.bytes += parquet.byteLength
    }
    result.events += count
    // Keep at most a few days of writes in flight.
    if (writes.length > 200) await Promise.all(writes.splice(0))
  }
  await Promise.all(writes)
  // The closed days' aggregates, as the cron leaves them (warehouse/aggregate/job.ts): the days are final,
  // so no grace period; a day whose lookahead is still open is built by the cron later.
  if (opt.sink.bucket) {
    const bucket = opt.sink.bucket
    // Each day's own file first, in date order (an empty day's looks at the day before it); then their
    // slices, which depend on the day's own files only: several days at a time, as each is mostly round
    // trips to the bucket.
    for (const date of dates) {
      const r = await aggregateDay(bucket, site, date, { now, tz: opt.tz, dayGraceMs: 0, sliceBudget: { events: 0 } })
      if (r.status === 'built') result.aggregates++
    }
    let next = opt.slices === false ? dates.length : 0
    const slicer = async () => {
      while (next < dates.length) await aggregateDay(bucket, site, dates[next++]!, { now, tz: opt.tz, dayGraceMs: 0 })
    }
    await Promise.all(Array.from({ length: 8 }, slicer))
    // Then the closed months, one file each (warehouse/aggregate/months.ts).
    const tz = opt.tz ?? 'UTC'
    const missing = await unaggregatedDates(opt.sink.bucket, site, tz, `${localDate(now, tz).slice(0, 7)}-01`)
    result.months = (await aggregateMonths(opt.sink.bucket, site, { now, tz, missing, budget: Infinity })).length
  }
  result.seconds = progress.elapsed()
  progress.done(
    `backfill: wrote ${result.events} events in ${result.files} files (${(result.bytes / 1e6).toFixed(1)} MB), ` +
      `${dates[0]}..${dates.at(-1)}, ${result.aggregates} days aggregated (${result.months} months), ${result.seconds.toFixed(1)} s, ${progress.rate(result.events)} events/s`,
  )
  return result
}

/** A visit's start in [start, stop): by the hourly profile on a whole day, uniform on a partial one. */
function startTime(rng: Random, start: number, stop: number): number {
  if (stop - start < DAY) return start + Math.floor(rng.next() * (stop - start))
  const hour = rng.weighted(HOURLY)
  return start + hour * HOUR + Math.floor(rng.next() * HOUR)
}
