/**
 * Compaction of the lake's tables (run by the cron, edge/scheduled.ts): the parts of a closed hour become one
 * file (`hour=HH/merged-<id>.parquet`); a closed day becomes files of at most `maxRows` rows, cut at hour
 * boundaries (`<HH>-<HH>-<id>.parquet`, usually one `00-23` file). Duplicate event ids are dropped: an event's
 * partition comes from its own event time, so every copy of an event sits in the same hour. The drop ledger
 * is compacted the same way, without dedupe (its rows have no id).
 *
 * Crash safety (see `visibleObjects` in lake.ts): the only switch is the put of a merged file, whose custom
 * metadata `covers` hides the objects it replaces. Steps, each safe to be cut off after:
 *   1. list the date; delete objects a merged file already hides (left over by a run cut off before step 4);
 *   2. read the inputs (visible objects older than `settleMs`), hour by hour, dedupe on event id;
 *   3. put each merged file: from then on readers see it instead of its inputs (a day file of events gets its
 *      pageview rollup, rollup.ts, put just before it, so a visible day file always has its rollup);
 *   4. delete the inputs (and the rollups of inputs that were day files).
 * A second run finds nothing to do and changes nothing. Memory: one output file's rows plus one input.
 */
import { parquetRead } from 'hyparquet'
import {
  datePrefix,
  dayMergedKey,
  encodeMeta,
  hourMergedKey,
  hoursOf,
  listAll,
  RETAINED_PREFIXES,
  visibleObjects,
  type ListedObject,
  TABLES,
  type Table,
} from './lake.ts'
import { READ_PARSERS, writeColumns, type Columns, type WriteOptions } from './parquet.ts'
import { receivedEarlier } from './dedup.ts'
import { rollupKey, writeRollup } from './rollup.ts'
import { COLUMNS, DROP_COLUMNS, SCHEMA_VERSION } from './schema.ts'
import { DAY, HOUR, MINUTE } from './time.ts'

/** What compaction needs of a table: its columns, the id to dedupe on (none: the drop ledger), its time. */
interface TableSpec {
  columns: Columns
  id: number // index of the id column, -1 for none
  time: number // index of the time column (partitions come from it)
  type: number // index of the event type column (rollups), -1 for none
  bot: number // index of the bot flag (rollups), -1 for none
  received: number // index of the receive time (which copy is kept, dedup.ts), -1 for none
}
const spec = (columns: Columns, id: string | null, time: string): TableSpec => ({
  columns,
  id: id ? columns.findIndex((c) => c.name === id) : -1,
  time: columns.findIndex((c) => c.name === time),
  type: columns.findIndex((c) => c.name === 'type'),
  bot: columns.findIndex((c) => c.name === 'is_bot'),
  received: columns.findIndex((c) => c.name === 'received_time'),
})
const TABLE_SPECS: Record<Table, TableSpec> = {
  events: spec(COLUMNS, 'event_id', 'event_time'),
  // Ledger rows have no id: two equal rows are two refusals. Redelivered batches rewrite their own part
  // (named by message ids), and the visibility rule keeps a run from reading a merged file and its inputs.
  dropped: spec(DROP_COLUMNS, null, 'time'),
}

/** The part of R2's bucket API compaction uses (an `R2Bucket` fits; tests and the bench can pass their own). */
export interface LakeBucket {
  list(options: { prefix?: string; delimiter?: string; cursor?: string; include?: ('customMetadata' | 'httpMetadata')[] }): Promise<{
    objects: (ListedObject & { size: number })[]
    delimitedPrefixes: string[]
    truncated: boolean
    cursor?: string
  }>
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>
  put(
    key: string,
    value: ArrayBuffer,
    options?: { httpMetadata?: { contentType?: string }; customMetadata?: Record<string, string> },
  ): Promise<unknown>
  delete(keys: string | string[]): Promise<void>
}

/** Steps at which `hook` is called; a hook that throws is a crash at that step (tests inject them). */
export type CompactStep = 'listed' | 'cleaned' | 'read' | 'written' | 'deleted'

export interface CompactOptions {
  /** The time of the run (epoch ms). */
  now: number
  /** An hour is closed this long after its end (default 10 min: queue retries and slow beacons land first). */
  hourGraceMs?: number
  /** A day is closed this long after its end (default 2 h). */
  dayGraceMs?: number
  /**
   * Objects younger than this are left for the next run (default 60 s). It keeps a put that was in flight
   * during the listing, and any clock difference between the worker and R2, out of a merged file's `covers`.
   */
  settleMs?: number
  /** Objects uploaded after this time (epoch ms) wait for the next run (default `now - settleMs`). */
  settledAt?: number
  /** Row bound of a day's files (default 50,000: two such files' rows fit well within a 128 MB isolate). */
  maxRows?: number
  /**
   * Codec of merged files (default SNAPPY, `CODEC` in parquet.ts). BROTLI makes them ~3x smaller
   * (bench/RESULTS.md) but every reader, the dashboard's hyparquet included, then needs its decompressor.
   */
  write?: Pick<WriteOptions, 'codec' | 'compressors'>
  /** The table to compact (default events). */
  table?: Table
  /** Called after each step; throwing aborts the run there. */
  hook?: (step: CompactStep, detail: string) => void | Promise<void>
}

/** What one run did to one date. */
export interface CompactResult {
  written: string[]
  deleted: string[]
  rows: number
}

/** Rows of one compacted day file at most (a day with more is cut into several, at hour boundaries). */
export const DAY_FILE_ROWS = 50_000

/** Compacts the closed hours, or the whole day once closed, of one site and date (YYYY-MM-DD). */
export async function compactDate(lake: LakeBucket, site: string, date: string, opts: CompactOptions): Promise<CompactResult> {
  const { now, hourGraceMs = 10 * MINUTE, dayGraceMs = 2 * HOUR, settleMs = MINUTE, maxRows = DAY_FILE_ROWS, hook } = opts
  const settledAt = opts.settledAt ?? now - settleMs
  const result: CompactResult = { written: [], deleted: [], rows: 0 }
  const table = opts.table ?? 'events'
  const objects = await listAll(lake, datePrefix(site, date, table))
  await hook?.('listed', date)

  const { visible, hidden } = visibleObjects(objects)
  if (hidden.length) {
    await deleteKeys(
      lake,
      withRollups(
        table,
        hidden.map((o) => o.key),
      ),
    )
    result.deleted.push(...hidden.map((o) => o.key))
    await hook?.('cleaned', date)
  }

  const dayStart = Date.parse(`${date}T00:00:00Z`)
  const settled = visible.filter((o) => o.uploaded.getTime() <= settledAt)
  const spans = settled.map((o) => ({ o, ...hoursOf(o.key)! }))
  if (now >= dayStart + DAY + dayGraceMs) {
    // Clean when only day files remain and none overlap: then there is nothing to do.
    const sorted = [...spans].sort((a, b) => a.first - b.first)
    const clean = sorted.every((s, i) => isDayFile(s.o.key) && (i === 0 || sorted[i - 1]!.last < s.first))
    if (!clean && spans.length) await mergeUnit(lake, TABLE_SPECS[table], table, site, date, spans, 'day', maxRows, opts, result)
  } else {
    for (let h = 0; h < 24; h++) {
      if (now < dayStart + (h + 1) * HOUR + hourGraceMs) break
      const inHour = spans.filter((s) => s.first === h && s.last === h)
      if (inHour.length > 1) await mergeUnit(lake, TABLE_SPECS[table], table, site, date, inHour, 'hour', maxRows, opts, result)
    }
  }
  return result
}

const isDayFile = (key: string) => !key.includes('/hour=')

/** Keys to delete with their rollups: events day files have one (deleting a missing key is a no-op in R2). */
const withRollups = (table: Table, keys: string[]) => (table === 'events' ? [...keys, ...keys.filter(isDayFile).map(rollupKey)] : keys)

type Span = { o: ListedObject; first: number; last: number }

/**
 * Rows of one or more hours, held column-wise (one array per column): a decoded row as a JS object costs
 * ~3 KB in V8, a row across 50 column arrays a tenth of that, so a day's file fits a 128 MB isolate.
 */
class ColumnBuffer {
  readonly columns: unknown[][]
  readonly ids = new Map<string, number>() // event id -> its row
  constructor(readonly spec: TableSpec) {
    this.columns = spec.columns.map(() => [])
  }
  get length() {
    return this.columns[0]!.length
  }
  /**
   * Appends row `i` of `source` unless its id is already here; a copy received earlier than the one held
   * replaces it (the lake's one rule for copies, dedup.ts). A buffer holds one site's rows.
   */
  add(source: unknown[][], i: number) {
    if (this.spec.id >= 0) {
      const id = source[this.spec.id]![i] as string
      const row = this.ids.get(id)
      if (row !== undefined) {
        const r = this.spec.received
        if (r >= 0 && receivedEarlier(Number(source[r]![i]), Number(this.columns[r]![row]))) {
          for (let c = 0; c < this.columns.length; c++) this.columns[c]![row] = source[c]![i] ?? null
        }
        return
      }
      this.ids.set(id, this.length)
    }
    for (let c = 0; c < this.columns.length; c++) this.columns[c]!.push(source[c]![i] ?? null)
  }
  /** Moves every row of `other` here (deduped). */
  take(other: ColumnBuffer) {
    for (let i = 0; i < other.length; i++) this.add(other.columns, i)
  }
}

/**
 * Merges inputs into files that tile their hours: for a closed hour, one file; for a day, files of about
 * `maxRows` rows covering 00-23 together, cut only where no input spans the cut (so each input lies inside
 * one output, which then hides it).
 */
async function mergeUnit(
  lake: LakeBucket,
  spec: TableSpec,
  table: Table,
  site: string,
  date: string,
  spans: Span[],
  level: 'hour' | 'day',
  maxRows: number,
  opts: CompactOptions,
  result: CompactResult,
) {
  const { hook } = opts
  spans.sort((a, b) => a.first - b.first || a.o.key.localeCompare(b.o.key))
  const covers = Math.max(...spans.map((s) => s.o.uploaded.getTime()))
  const id = await digest([String(covers), ...spans.map((s) => s.o.key)].join('\n'))
  const startHour = level === 'hour' ? spans[0]!.first : 0
  const endHour = level === 'hour' ? spans[0]!.first : 23
  const hours = new Map<number, ColumnBuffer>() // hours read but not complete yet
  let pending = new ColumnBuffer(spec) // complete hours waiting for the next output
  let outFirst = startHour
  let next = 0 // next input to read

  const flush = async (last: number) => {
    const buf = pending
    pending = new ColumnBuffer(spec)
    const hh = (h: number) => String(h).padStart(2, '0')
    const key =
      level === 'hour'
        ? hourMergedKey({ site, date, hour: hh(startHour) }, id, table)
        : dayMergedKey(site, date, hh(outFirst), hh(last), id, table)
    if (buf.length) {
      // Time-ordered: tighter row-group statistics for readers that prune, and better compression.
      const times = buf.columns[spec.time] as number[]
      const order = Array.from(times.keys()).sort((a, b) => times[a]! - times[b]!)
      const columns = buf.columns.map((col) => order.map((i) => col[i]))
      buf.columns.length = 0
      const rows = order.length
      if (table === 'events' && level === 'day') {
        // Before the merged file (the switch): a reader that sees the day file finds its rollup too.
        const rollup = writeRollup(columns[spec.type]!, columns[spec.time] as number[], columns[spec.bot]!)
        await lake.put(rollupKey(key), rollup, {
          httpMetadata: { contentType: 'application/vnd.apache.parquet' },
          customMetadata: { of: key },
        })
      }
      await lake.put(key, writeColumns(spec.columns, columns, { ...opts.write, rowGroupSize: ROW_GROUP_ROWS }), {
        httpMetadata: { contentType: 'application/vnd.apache.parquet' },
        customMetadata: encodeMeta({ rows, minTime: times[order[0]!]!, maxTime: times[order[rows - 1]!]!, schema: SCHEMA_VERSION, covers }),
      })
      result.written.push(key)
      result.rows += rows
      await hook?.('written', key)
    }
    outFirst = last + 1
  }

  for (let h = startHour; h <= endHour; h++) {
    // Read every input that starts at or before this hour: then hour h has all its rows.
    while (next < spans.length && spans[next]!.first <= h) {
      const s = spans[next++]!
      const cols = await readColumns(lake, spec.columns, s.o.key)
      const times = (cols[spec.time] ?? []) as number[]
      for (let i = 0; i < times.length; i++) {
        const hour = new Date(times[i]!).getUTCHours()
        let buf = hours.get(hour)
        if (!buf) hours.set(hour, (buf = new ColumnBuffer(spec)))
        buf.add(cols, i)
      }
      await hook?.('read', s.o.key)
    }
    const buf = hours.get(h)
    if (buf) pending.take(buf)
    hours.delete(h)
    // Cut after hour h only when no input spans h -> h+1, so that every input ends up inside one output.
    const canCut = !spans.some((s) => s.first <= h && s.last > h)
    if (h === endHour || (canCut && pending.length >= maxRows)) await flush(h)
  }
  const inputs = spans.map((s) => s.o.key)
  await deleteKeys(lake, withRollups(table, inputs))
  result.deleted.push(...inputs)
  await hook?.('deleted', inputs.join(','))
}

/** Row-group size of compacted files (bench/RESULTS.md: larger groups barely shrink files, 1,000 costs 13%). */
export const ROW_GROUP_ROWS = 10_000

/** One lake file's columns, in `columns` order, timestamps as epoch ms (as the writer takes them). */
export async function readColumns(lake: LakeBucket, columns: Columns, key: string): Promise<unknown[][]> {
  const body = await lake.get(key)
  if (!body) return columns.map(() => []) // deleted by a concurrent run after our listing: its rows are in that run's output
  const file = await body.arrayBuffer()
  const byName = new Map<string, unknown[]>()
  await parquetRead({
    file,
    parsers: READ_PARSERS,
    columns: columns.map((c) => c.name),
    onChunk({ columnName, columnData, rowStart }) {
      let col = byName.get(columnName)
      if (!col) byName.set(columnName, (col = []))
      for (let i = 0; i < columnData.length; i++) col[rowStart + i] = columnData[i]
    },
  })
  const rows = Math.max(0, ...[...byName.values()].map((c) => c.length))
  return columns.map((c) => {
    const col = byName.get(c.name) ?? new Array(rows).fill(null) // a column added after this file was written
    if (c.type === 'TIMESTAMP') for (let i = 0; i < col.length; i++) if (col[i] instanceof Date) col[i] = (col[i] as Date).getTime()
    if (c.type === 'INT32') for (let i = 0; i < col.length; i++) if (typeof col[i] === 'bigint') col[i] = Number(col[i])
    return col
  })
}

/** Direct child prefixes of `prefix` (R2 list with a delimiter), e.g. the sites under `events/`. */
export async function listPrefixes(lake: LakeBucket, prefix: string): Promise<string[]> {
  const out: string[] = []
  let cursor: string | undefined
  do {
    const page = await lake.list({ prefix, delimiter: '/', cursor })
    out.push(...page.delimitedPrefixes)
    cursor = page.truncated ? page.cursor : undefined
  } while (cursor)
  return out
}

/** Deletes keys, 1,000 at a time (R2's limit per call). */
export async function deleteKeys(lake: LakeBucket, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) await lake.delete(keys.slice(i, i + 1000))
}

async function digest(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(d, 0, 10), (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Compacts every table's and site's recent dates (`days` back from `now`, default 7): what the cron runs. */
export async function compactLake(
  lake: LakeBucket,
  opts: CompactOptions & { days?: number },
): Promise<CompactResult & { failed: string[] }> {
  const total: CompactResult & { failed: string[] } = { written: [], deleted: [], rows: 0, failed: [] }
  const days = opts.days ?? 7
  for (const table of TABLES) {
    for (const sitePrefix of await listPrefixes(lake, `${table}/`)) {
      const site = sitePrefix.slice(`${table}/site=`.length, -1)
      for (let d = days; d >= 0; d--) {
        const date = new Date(opts.now - d * DAY).toISOString().slice(0, 10)
        // One date failing (an unreadable object, say) must not stop the others; it is retried next run.
        try {
          const r = await compactDate(lake, site, date, { ...opts, table })
          total.written.push(...r.written)
          total.deleted.push(...r.deleted)
          total.rows += r.rows
        } catch (e) {
          total.failed.push(`${table}/${site}/${date}: ${(e as Error).message}`)
        }
      }
    }
  }
  return total
}

/** Lake tables and other dated prefixes that retention trims: `<prefix>site=<s>/date=...` or `<prefix>date=...`. */

/** Deletes whole date partitions older than `days` days before `now` (RETENTION_DAYS). Returns the deleted keys' count. */
export async function applyRetention(lake: LakeBucket, days: number, now: number): Promise<number> {
  const oldest = new Date(now - days * DAY).toISOString().slice(0, 10)
  let deleted = 0
  for (const table of RETAINED_PREFIXES) {
    const level = await listPrefixes(lake, table)
    const datePrefixes = level.some((p) => p.includes('/site='))
      ? (await Promise.all(level.map((p) => listPrefixes(lake, p)))).flat()
      : level
    for (const prefix of datePrefixes) {
      // A month's aggregate file goes with its first day (its later days are read from their day files).
      const date = /date=(\d{4}-\d{2}-\d{2})\/$/.exec(prefix)?.[1] ?? /month=(\d{4}-\d{2})\/$/.exec(prefix)?.[1]?.concat('-01')
      if (!date || date >= oldest) continue
      const keys = (await listAll(lake, prefix)).map((o) => o.key)
      await deleteKeys(lake, keys)
      deleted += keys.length
    }
  }
  return deleted
}
