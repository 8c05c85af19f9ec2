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
 *
 * A month's slice files (columns.ts `SLICE_COLUMNS`) are its days' slices of one dimension in one file,
 * written (before the month file) once every day has that slice, and gone with the month file.
 */
import { deleteKeys, readColumns, type LakeBucket } from '../compact.ts'
import { aggregatePrefix, keysDigest, listAll, monthAggregateKey, parseAggregateKey, parseMonthAggregateKey, sliceKey } from '../lake.ts'
import { writeColumns } from '../parquet.ts'
import { AGGREGATE_COLUMNS, SLICE_COLUMNS, SLICE_DIMS, type SliceDim } from './columns.ts'
import { Sketch } from './hll.ts'
import { addDays, localDate } from './zone.ts'

/** A listed aggregate object. */
interface Listed {
  key: string
  size: number
  uploaded: Date
}

/** One local day's current aggregate: its own file, or its month's, and that file's slices by dimension. */
export interface CurrentAggregate {
  date: string
  key: string
  size: number
  slices: Partial<Record<SliceDim, { key: string; size: number }>>
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
  const sizes = new Map(objects.map((o) => [o.key, o.size]))
  const slicesOf = (key: string) => {
    const out: CurrentAggregate['slices'] = {}
    for (const dim of SLICE_DIMS) {
      const k = sliceKey(key, dim)
      if (sizes.has(k)) out[dim] = { key: k, size: sizes.get(k)! }
    }
    return out
  }
  const out: CurrentAggregate[] = []
  for (const [month, files] of byMonth(days)) {
    const whole = monthFiles.size ? monthFiles.get(`${month}/${await keysDigest(files.map((f) => f.key))}`) : undefined
    const monthSlices = whole && slicesOf(whole.key)
    for (const f of files) {
      const o = whole ?? f
      out.push({ date: parseAggregateKey(f.key)!.date, key: o.key, size: o.size, slices: monthSlices ?? slicesOf(f.key) })
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
    const listed = new Set(objects.map((x) => x.key))
    // The slices every day has and the month lacks: written first, so that a current month file's slices are there.
    const slices = SLICE_DIMS.filter((d) => !listed.has(sliceKey(key, d)) && files.every((f) => listed.has(sliceKey(f.key, d))))
    for (const dim of slices) {
      const rows = await concatenated(
        lake,
        SLICE_COLUMNS,
        files.map((f) => sliceKey(f.key, dim)),
      )
      await lake.put(sliceKey(key, dim), writeColumns(SLICE_COLUMNS, byValue(rows)), {
        httpMetadata: { contentType: 'application/vnd.apache.parquet' },
        customMetadata: { rows: String(rows[0]!.length), days: String(files.length) },
      })
    }
    if (earlier.includes(key)) {
      if (slices.length) written.push(key)
      continue
    }
    const columns = await concatenated(
      lake,
      AGGREGATE_COLUMNS,
      files.map((f) => f.key),
    )
    addMonthSketch(columns)
    await lake.put(key, writeColumns(AGGREGATE_COLUMNS, columns), {
      httpMetadata: { contentType: 'application/vnd.apache.parquet' },
      customMetadata: { rows: String(columns[0]!.length), days: String(files.length) },
    })
    await deleteKeys(
      lake,
      [...earlier, ...earlier.flatMap((k) => SLICE_DIMS.map((d) => sliceKey(k, d)))].filter((k) => listed.has(k)),
    )
    written.push(key)
  }
  return written
}

/** The rows of `keys` in one, column-wise (one file held at a time besides the result). */
async function concatenated(
  lake: LakeBucket,
  columns: typeof AGGREGATE_COLUMNS | typeof SLICE_COLUMNS,
  keys: readonly string[],
): Promise<unknown[][]> {
  const out: unknown[][] = columns.map(() => [])
  for (const key of keys) {
    const cols = await readColumns(lake, columns, key)
    cols.forEach((c, j) => {
      for (const v of c) out[j]!.push(v)
    })
  }
  return out
}

/** Slice rows ordered by their value (stable: each day's rows keep their order), as a day's slices are. */
function byValue(columns: unknown[][]): unknown[][] {
  const v = columns[SLICE_COLUMNS.findIndex((c) => c.name === 'fvalue')]!
  const order = v.map((_, i) => i).sort((a, b) => (v[a]! < v[b]! ? -1 : v[a]! > v[b]! ? 1 : a - b))
  return columns.map((c) => order.map((i) => c[i]))
}
