/**
 * The layout of the lake in R2 (Hive partitions, so any Parquet engine can prune by site, date and hour):
 *
 *   events/site=<site>/date=YYYY-MM-DD/hour=HH/<part>.parquet         one file per queue batch and partition
 *   events/site=<site>/date=YYYY-MM-DD/hour=HH/merged-<id>.parquet    compacted: a closed hour
 *   events/site=<site>/date=YYYY-MM-DD/<HH>-<HH>-<id>.parquet         compacted: hours HH..HH of a closed day
 *   dropped/site=<site>/date=YYYY-MM-DD/hour=HH/<part>.parquet        the drop ledger, same layout
 *
 * Keys are built and parsed here only.
 *
 * Compaction and readers agree on one rule (`visibleObjects`): a merged file carries `covers` in its custom
 * metadata, the R2 upload time of the newest object it merged. Any other object of the same date whose hours
 * lie inside the merged file's hours and that was uploaded at or before `covers` is already inside it, and is
 * hidden. Writing the merged file is the single atomic switch, so a reader sees the parts or the merged file,
 * never both, whatever step a compaction is cut off at.
 */

/** Partition of one event: site, UTC date and hour of its event time. */
export interface Partition {
  site: string
  date: string // YYYY-MM-DD (UTC)
  hour: string // HH (UTC)
}

/** The tables of the lake: events, and the ledger of what was dropped. */
export const TABLES = ['events', 'dropped'] as const
export type Table = (typeof TABLES)[number]

// The top-level prefixes of the bucket, defined here only. Each table's files lie under `<table>/`.
/** The events table (`events/site=...`). */
export const EVENTS_PREFIX = 'events/'
/** The drop ledger (`dropped/site=...`). */
export const DROPPED_PREFIX = 'dropped/'
/** Pageview rollups of compacted day files: the day file's key under this prefix (`rollup.ts`). */
export const ROLLUPS_PREFIX = 'rollups/'
/** The aggregate tier: one file per site and closed local day or month (`aggregate/`). */
export const AGGREGATES_PREFIX = 'aggregates/'
/** Marks of dates that received parts after the cron's days (`late.ts`). */
export const LATE_PREFIX = 'late/'
/** The daily salts of the visitor id (`edge/enrich/visitor.ts`), deleted after two days by the cron. */
export const SALTS_PREFIX = 'salts/'
/** Poison queue messages kept for inspection: `deadletter/date=YYYY-MM-DD/<message id>.json` (`edge/consumer.ts`). */
export const DEAD_LETTER_PREFIX = 'deadletter/'
/** The local stack's queue journal (`edge/journal.ts`). */
export const JOURNAL_PREFIX = 'journal/'
/** What retention deletes by age: the tables and everything derived from them. */
export const RETAINED_PREFIXES = [EVENTS_PREFIX, ROLLUPS_PREFIX, AGGREGATES_PREFIX, DROPPED_PREFIX, DEAD_LETTER_PREFIX] as const

export function partitionOf(site: string, eventTimeMs: number): Partition {
  const iso = new Date(eventTimeMs).toISOString()
  return { site, date: iso.slice(0, 10), hour: iso.slice(11, 13) }
}

/** Key of a part file. `part` must be deterministic for the batch so that a redelivery overwrites it. */
export function partKey(p: Partition, part: string, table: Table = 'events'): string {
  return `${datePrefix(p.site, p.date, table)}hour=${p.hour}/${part}.parquet`
}

/**
 * The part name of a partition's rows: the first 20 hex digits of SHA-256 over their sorted event ids, so a
 * redelivered batch (or a re-run backfill) writes the same key. Web Crypto: the worker and Node 20 alike.
 */
export async function partName(ids: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode([...ids].sort().join('\n')))
  return Array.from(new Uint8Array(digest, 0, 10), (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Key of a compacted file covering one closed hour (replaces that hour's parts). */
export function hourMergedKey(p: Partition, id: string, table: Table = 'events'): string {
  return `${datePrefix(p.site, p.date, table)}hour=${p.hour}/merged-${id}.parquet`
}

/** Key of a compacted file covering hours `first`..`last` (HH) of a closed day. */
export function dayMergedKey(site: string, date: string, first: string, last: string, id: string, table: Table = 'events'): string {
  return `${datePrefix(site, date, table)}${first}-${last}-${id}.parquet`
}

/** The UTC hours (inclusive, 0-23) a lake file holds, from its key; null for a key that is no lake file. */
export function hoursOf(key: string): { first: number; last: number } | null {
  const hour = /\/hour=(\d\d)\/[^/]+\.parquet$/.exec(key)
  if (hour) return { first: Number(hour[1]), last: Number(hour[1]) }
  const span = /\/date=[\d-]+\/(\d\d)-(\d\d)-[^/]+\.parquet$/.exec(key)
  return span ? { first: Number(span[1]), last: Number(span[2]) } : null
}

/** Prefix of every file of one site and UTC day, hourly parts and compacted files alike. */
export function datePrefix(site: string, date: string, table: Table = 'events'): string {
  return `${table}/site=${site}/date=${date}/`
}

/** UTC dates (YYYY-MM-DD) from `from` to `to` inclusive. */
export function datesBetween(from: Date, to: Date): string[] {
  const dates: string[] = []
  const day = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()))
  for (; day <= to; day.setUTCDate(day.getUTCDate() + 1)) dates.push(day.toISOString().slice(0, 10))
  return dates
}

/** One file of `GET /api/files` (edge/lake-api.ts): what the dashboard, the CLI and the tests read. */
export interface LakeFile {
  key: string
  url: string
  rows: number
  bytes: number
  /** ISO 8601: the earliest and latest event time in the file. */
  minTime: string
  maxTime: string
  /** With `signed=1`: `url` plus `exp` and `sig`, readable without the bearer token until `exp`. */
  signedUrl?: string
  /** With `rollups=1`: the pageview rollup of this (compacted day) file, when it has one (`rollup.ts`). */
  rollup?: { key: string; url: string; bytes: number; signedUrl?: string }
}

/** Metadata stored with each object (R2 custom metadata), so listing needs no file read. */
export interface PartMeta {
  rows: number
  minTime: number // epoch ms of the earliest event_time
  maxTime: number
  schema: number
  /** Merged files only: epoch ms upload time of the newest object merged into it (see `visibleObjects`). */
  covers?: number
}

export function encodeMeta(m: PartMeta): Record<string, string> {
  const out: Record<string, string> = {
    rows: String(m.rows),
    minTime: String(m.minTime),
    maxTime: String(m.maxTime),
    schema: String(m.schema),
  }
  if (m.covers !== undefined) out.covers = String(m.covers)
  return out
}

export function decodeMeta(m: Record<string, string> | undefined): PartMeta | null {
  const rows = Number(m?.rows),
    minTime = Number(m?.minTime),
    maxTime = Number(m?.maxTime)
  if (!Number.isFinite(rows) || !Number.isFinite(minTime) || !Number.isFinite(maxTime)) return null
  const meta: PartMeta = { rows, minTime, maxTime, schema: Number(m?.schema) || 0 }
  const covers = Number(m?.covers)
  if (m?.covers !== undefined && Number.isFinite(covers)) meta.covers = covers
  return meta
}

/** What the visibility rule needs of a listed object: R2 `list({ include: ['customMetadata'] })` gives it. */
export interface ListedObject {
  key: string
  uploaded: Date
  customMetadata?: Record<string, string>
}

/** What listing needs of a bucket: R2's `list` (the worker's `LAKE`, or a bench's own). */
export interface ListingBucket {
  list(options: {
    prefix?: string
    cursor?: string
    include?: 'customMetadata'[]
  }): Promise<{ objects: (ListedObject & { size: number })[]; truncated: boolean; cursor?: string }>
}

/** Every object under `prefix`, with its custom metadata, page after page. */
export async function listAll(lake: ListingBucket, prefix: string): Promise<(ListedObject & { size: number })[]> {
  const objects: (ListedObject & { size: number })[] = []
  let cursor: string | undefined
  do {
    const page = await lake.list({ prefix, cursor, include: ['customMetadata'] })
    objects.push(...page.objects)
    cursor = page.truncated ? page.cursor : undefined
  } while (cursor)
  return objects
}

/**
 * Splits the objects of one date prefix into those a reader must see and those already inside a merged file
 * (hidden; compaction deletes them). Pure: the compactor, `/api/files` and tests share it.
 */
export function visibleObjects<O extends ListedObject>(objects: readonly O[]): { visible: O[]; hidden: O[] } {
  const merged = objects.flatMap((o) => {
    const covers = decodeMeta(o.customMetadata)?.covers
    const hours = hoursOf(o.key)
    return covers !== undefined && hours ? [{ key: o.key, covers, ...hours }] : []
  })
  const visible: O[] = [],
    hidden: O[] = []
  for (const o of objects) {
    const h = hoursOf(o.key)
    const t = o.uploaded.getTime()
    const covered = h && merged.some((m) => m.key !== o.key && m.first <= h.first && h.last <= m.last && t <= m.covers)
    ;(covered ? hidden : visible).push(o)
  }
  return { visible, hidden }
}

/**
 * Key of the aggregate file of one site and local day in time zone `tz` (warehouse/aggregate), built from
 * files whose keys digest to `digest`. Under the day's date like the tables, so retention trims it with
 * them; the zone is in the name, so a site whose zone changes gets its days aggregated again rather than read
 * in the wrong zone; the digest makes a rebuilt day a new key, so a key's content never changes and readers
 * may cache it for good, as every lake file.
 * @example aggregateKey('demo', '2026-01-10', 'Asia/Kolkata', 'ab12') // 'aggregates/site=demo/date=2026-01-10/Asia~Kolkata.ab12.parquet'
 */
export function aggregateKey(site: string, date: string, tz: string, digest: string): string {
  return `${aggregatePrefix(site, date)}${tz.replaceAll('/', '~')}.${digest}.parquet`
}

/** The prefix of the aggregate files of a site (and of one of its local dates). */
export function aggregatePrefix(site: string, date?: string): string {
  return `${AGGREGATES_PREFIX}site=${site}/${date ? `date=${date}/` : ''}`
}

/**
 * Key of the aggregate file of one site and closed local month in zone `tz`: its day files (`aggregateKey`)
 * in one, `digest` the digest of their keys (`keysDigest`), so the month file is current exactly while its
 * days' files are (warehouse/aggregate/months.ts). A reader of a year takes 12 files instead of 365.
 * @example monthAggregateKey('demo', '2026-01', 'UTC', 'cd34') // 'aggregates/site=demo/month=2026-01/UTC.cd34.parquet'
 */
export function monthAggregateKey(site: string, month: string, tz: string, digest: string): string {
  return `${AGGREGATES_PREFIX}site=${site}/month=${month}/${tz.replaceAll('/', '~')}.${digest}.parquet`
}

/** Site, local month (YYYY-MM), zone and digest of a month's aggregate key, or null. */
export function parseMonthAggregateKey(key: string): { site: string; month: string; tz: string; digest: string } | null {
  const m = /^aggregates\/site=([^/]+)\/month=(\d{4}-\d\d)\/([^/.]+(?:\.[^/.]+)*?)\.([0-9a-f]+)\.parquet$/.exec(key)
  return m ? { site: m[1]!, month: m[2]!, tz: m[3]!.replaceAll('~', '/'), digest: m[4]! } : null
}

/**
 * The digest of no keys (`keysDigest([])`): that of a day's aggregate no event file overlaps, an empty day,
 * which needs no slices (warehouse/aggregate/job.ts): a filter counts nothing on it.
 */
export const EMPTY_DIGEST = 'e3b0c44298fc1c149afb'

/** Digest of a set of keys (SHA-256 of the sorted keys, 20 hex digits): what a derived file was built from. */
export async function keysDigest(keys: readonly string[]): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode([...keys].sort().join('\n')))
  return Array.from(new Uint8Array(d, 0, 10), (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * Key of the slice file of an aggregate file (a day's or a month's) for one filter dimension
 * (warehouse/aggregate/columns.ts `SLICE_DIMS`): beside it, built from the same events, gone with it.
 * @example sliceKey('aggregates/site=demo/date=2026-01-10/UTC.ab12.parquet', 'country') // 'aggregates/site=demo/date=2026-01-10/UTC.ab12.by-country.parquet'
 */
export function sliceKey(aggregate: string, dim: string): string {
  return aggregate.replace(/\.parquet$/, `.by-${dim}.parquet`)
}

/** The aggregate key and dimension of a slice key (the inverse of `sliceKey`), or null. */
export function parseSliceKey(key: string): { aggregate: string; dim: string } | null {
  const m = /^(aggregates\/.+)\.by-([a-z_]+)\.parquet$/.exec(key)
  return m ? { aggregate: `${m[1]}.parquet`, dim: m[2]! } : null
}

/** Site, local date, zone and digest of an aggregate key (the inverse of `aggregateKey`), or null. */
export function parseAggregateKey(key: string): { site: string; date: string; tz: string; digest: string } | null {
  const m = /^aggregates\/site=([^/]+)\/date=(\d{4}-\d\d-\d\d)\/([^/.]+(?:\.[^/.]+)*?)\.([0-9a-f]+)\.parquet$/.exec(key)
  return m ? { site: m[1]!, date: m[2]!, tz: m[3]!.replaceAll('~', '/'), digest: m[4]! } : null
}
