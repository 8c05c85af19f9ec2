/**
 * The layout of the lake in R2 (Hive partitions, so any Parquet engine can prune by site, date and hour):
 *
 *   events/site=<site>/date=YYYY-MM-DD/hour=HH/<part>.parquet   one file per queue batch
 *   events/site=<site>/date=YYYY-MM-DD/<part>.parquet           compacted (a closed day)
 *   dropped/site=<site>/date=YYYY-MM-DD/hour=HH/<part>.parquet  the drop ledger, same layout
 *
 * Keys are built and parsed here only.
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

export function partitionOf(site: string, eventTimeMs: number): Partition {
  const iso = new Date(eventTimeMs).toISOString()
  return { site, date: iso.slice(0, 10), hour: iso.slice(11, 13) }
}

/** Key of a part file. `part` must be deterministic for the batch so that a redelivery overwrites it. */
export function partKey(p: Partition, part: string, table: Table = 'events'): string {
  return `${datePrefix(p.site, p.date, table)}hour=${p.hour}/${part}.parquet`
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

/** Metadata stored with each object (R2 custom metadata), so listing needs no file read. */
export interface PartMeta {
  rows: number
  minTime: number // epoch ms of the earliest event_time
  maxTime: number
  schema: number
}

export function encodeMeta(m: PartMeta): Record<string, string> {
  return { rows: String(m.rows), minTime: String(m.minTime), maxTime: String(m.maxTime), schema: String(m.schema) }
}

export function decodeMeta(m: Record<string, string> | undefined): PartMeta | null {
  const rows = Number(m?.rows), minTime = Number(m?.minTime), maxTime = Number(m?.maxTime)
  if (!Number.isFinite(rows) || !Number.isFinite(minTime) || !Number.isFinite(maxTime)) return null
  return { rows, minTime, maxTime, schema: Number(m?.schema) || 0 }
}
