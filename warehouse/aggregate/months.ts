/**
 * Month files of the aggregate tier: once every local day of a month has its aggregate, the cron writes the
 * days' rows again as one file, `aggregates/site=<s>/month=<YYYY-MM>/<zone>.<digest>.parquet`, the digest
 * that of the day files' keys. A reader of a year then downloads 12 files and today's days, not 365.
 *
 * A month file also holds the month's merged visitor sketch (`addMonthSketch`), so unique visitors of a
 * long range merge one sketch per month.
 *
 * The day files stay the truth: a month file is current exactly while its digest is that of its month's
 * newest day files (`currentAggregates`). A day rebuilt later (a late event) changes its key, so the month's
 * days are read from their day files again until the next cron run writes the month anew.
 */
import { deleteKeys, readColumns, type LakeBucket } from '../compact.ts'
import { aggregatePrefix, keysDigest, listAll, monthAggregateKey, parseAggregateKey, parseMonthAggregateKey } from '../lake.ts'
import { writeColumns } from '../parquet.ts'
import { AGGREGATE_COLUMNS } from './columns.ts'
import { Sketch } from './hll.ts'
import { addDays, localDate } from './zone.ts'

/** A listed aggregate object. */
interface Listed {
  key: string
  size: number
  uploaded: Date
}

/** One local day's current aggregate: its own file, or its month's. */
export interface CurrentAggregate {
  date: string
  key: string
  size: number
}

const col = (name: string) => AGGREGATE_COLUMNS.findIndex((c) => c.name === name)

/**
 * Adds the month's row: dim 'month', `day` and `t` the first and last day's midnights, `sketch` the days'
 * visitor sketches merged (register by register, the maximum), which the SQL takes for the whole month
 * (hllVisitors in warehouse/sql/aggregates.ts). Its other columns are NULL.
 */
function addMonthSketch(columns: unknown[][]): void {
  const [dim, day, t, sketch] = ['dim', 'day', 't', 'sketch'].map(col) as [number, number, number, number]
  const merged = new Sketch()
  let first: unknown, last: unknown
  columns[dim]!.forEach((d, i) => {
    if (d !== 'all') return
    const v = columns[day]![i]
    if (first === undefined || Number(v) < Number(first)) first = v
    if (last === undefined || Number(v) > Number(last)) last = v
    if (typeof columns[sketch]![i] === 'string') merged.merge(Sketch.fromText(columns[sketch]![i] as string))
  })
  if (first === undefined) return
  columns.forEach((c, j) => c.push(j === dim ? 'month' : j === day ? first : j === t ? last : j === sketch ? merged.toText() : null))
}

/** The newest day file of each local date in zone `tz`, oldest date first. */
function newestDays(objects: readonly Listed[], tz: string): Map<string, Listed> {
  const newest = new Map<string, Listed>()
  for (const o of objects) {
    const k = parseAggregateKey(o.key)
    if (!k || k.tz !== tz) continue
    const had = newest.get(k.date)
    if (!had || had.uploaded < o.uploaded) newest.set(k.date, o)
  }
  return new Map([...newest].sort(([a], [b]) => a.localeCompare(b)))
}

/** The day files of each month (YYYY-MM). */
function byMonth(days: Map<string, Listed>): Map<string, Listed[]> {
  const months = new Map<string, Listed[]>()
  for (const [date, o] of days) {
    const m = date.slice(0, 7)
    if (!months.has(m)) months.set(m, [])
    months.get(m)!.push(o)
  }
  return months
}

/**
 * The current aggregate file of each local day in zone `tz`, from a listing of the site's aggregates: the
 * day's newest file, or its month's file while that month file's digest is that of the month's day files.
 * Days of one month file share its key (and size): readers load each key once.
 */
export async function currentAggregates(objects: readonly Listed[], tz: string): Promise<CurrentAggregate[]> {
  const days = newestDays(objects, tz)
  const monthFiles = new Map<string, Listed>()
  for (const o of objects) {
    const k = parseMonthAggregateKey(o.key)
    if (k && k.tz === tz) monthFiles.set(`${k.month}/${k.digest}`, o)
  }
  const out: CurrentAggregate[] = []
  for (const [month, files] of byMonth(days)) {
    const whole = monthFiles.size ? monthFiles.get(`${month}/${await keysDigest(files.map((f) => f.key))}`) : undefined
    for (const f of files) {
      const o = whole ?? f
      out.push({ date: parseAggregateKey(f.key)!.date, key: o.key, size: o.size })
    }
  }
  return out
}

/**
 * Writes the month file of each closed local month (before `now`'s month in zone `tz`) whose days all have
 * their aggregate (none missing since the site's first day: `missing`, unaggregatedDates) and whose month
 * file is missing or stale; at most `budget` months a run, oldest first. Returns the keys written.
 */
export async function aggregateMonths(
  lake: LakeBucket,
  site: string,
  o: { now: number; tz: string; missing: readonly string[]; budget?: number },
): Promise<string[]> {
  const objects = await listAll(lake, aggregatePrefix(site))
  const current = localDate(o.now, o.tz).slice(0, 7)
  const missing = new Set(o.missing.map((d) => d.slice(0, 7)))
  const written: string[] = []
  for (const [month, files] of byMonth(newestDays(objects, o.tz))) {
    if (written.length >= (o.budget ?? 3)) break
    if (month >= current || missing.has(month)) continue
    // Every day from the month's first aggregated one to its last: a day before the site's first has none.
    const dates = files.map((f) => parseAggregateKey(f.key)!.date)
    if (dates[dates.length - 1] !== addDays(`${addDays(`${month}-28`, 4).slice(0, 7)}-01`, -1)) continue
    if (dates.some((d, i) => i > 0 && addDays(dates[i - 1]!, 1) !== d)) continue
    const key = monthAggregateKey(site, month, o.tz, await keysDigest(files.map((f) => f.key)))
    const earlier = objects
      .filter((x) => parseMonthAggregateKey(x.key)?.month === month && parseMonthAggregateKey(x.key)?.tz === o.tz)
      .map((x) => x.key)
    if (earlier.includes(key)) continue
    const columns: unknown[][] = AGGREGATE_COLUMNS.map(() => [])
    for (const f of files) {
      const cols = await readColumns(lake, AGGREGATE_COLUMNS, f.key)
      cols.forEach((c, j) => {
        for (const v of c) columns[j]!.push(v)
      })
    }
    addMonthSketch(columns)
    await lake.put(key, writeColumns(AGGREGATE_COLUMNS, columns), {
      httpMetadata: { contentType: 'application/vnd.apache.parquet' },
      customMetadata: { rows: String(columns[0]!.length), days: String(files.length) },
    })
    await deleteKeys(lake, earlier)
    written.push(key)
  }
  return written
}
