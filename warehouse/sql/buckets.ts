/**
 * Time buckets of the dashboard's time series (`series` in warehouse/sql/overview.ts) and of the
 * bucket picker: the sizes offered, the one that gives a readable number of points for a range, and where
 * an instant's bucket starts in the site's time zone.
 *
 * Buckets are cut on local wall-clock time (a site's days start at its midnight, a Kolkata hour at :30 UTC):
 * an instant is shifted by its zone's offset at that instant (`offsetsOver` in warehouse/aggregate/zone.ts,
 * exact across DST changes) and bucketed as `time_bucket` would; a bucket is named by its local start. A
 * DST day is then one bucket of 23 or 25 hours, and the hour repeated when clocks go back is one bucket.
 */
import type { Range } from './query.ts'

export const BUCKETS = { minute: '1 minute', hour: '1 hour', day: '1 day', week: '1 week' } as const
export type Bucket = keyof typeof BUCKETS

/**
 * Where DuckDB's `time_bucket` starts counting intervals without months (Monday 2000-01-03 UTC, epoch ms):
 * weeks start on Mondays; minutes, hours and days are aligned to it too.
 */
export const BUCKET_ORIGIN = Date.UTC(2000, 0, 3)

/** The size of each bucket in ms (none is a month: every bucket has a fixed length). */
export const BUCKET_MS: Record<Bucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 }

/** A zone's offsets over a range (`offsetsOver`): `[from instant, offset ms]`, the first at the range's start. */
export type Offsets = readonly (readonly [number, number])[]

/** UTC's: no shift. */
export const UTC_OFFSETS: Offsets = [[-Infinity, 0]]

/** The offset (ms) at instant `t`. */
export function offsetAt(offsets: Offsets, t: number): number {
  let o = offsets[0]![1]
  for (const [from, off] of offsets) if (t >= from) o = off
  return o
}

/** Whether every offset is whole hours: UTC hours then lie in one local hour, day and week. */
export const wholeHours = (offsets: Offsets): boolean => offsets.every(([, o]) => o % BUCKET_MS.hour === 0)

/** Start (local wall-clock ms) of the bucket holding instant `t`, as `bucketStartSql` computes it. */
export function bucketStartMs(t: number, b: Bucket, offsets: Offsets = UTC_OFFSETS): number {
  const local = t + offsetAt(offsets, t)
  return BUCKET_ORIGIN + Math.floor((local - BUCKET_ORIGIN) / BUCKET_MS[b]) * BUCKET_MS[b]
}

/**
 * SQL (BIGINT, µs since the epoch of local wall-clock time): the start of the bucket holding the TIMESTAMP
 * `column`, computed on integers (time_bucket per row costs more than a count in DuckDB-WASM); the remainder
 * is taken so times before the origin floor as well.
 */
export function bucketStartSql(b: Bucket, column: string, offsets: Offsets = UTC_OFFSETS): string {
  const us = `epoch_us(${column})`
  const shift =
    offsets.length === 1
      ? offsets[0]![1]
        ? ` + ${offsets[0]![1] * 1000}`
        : ''
      : ` + CASE ${offsets
          .slice(1)
          .map(([from], i) => `WHEN ${us} < ${from * 1000} THEN ${offsets[i]![1] * 1000}`)
          .join(' ')} ELSE ${offsets[offsets.length - 1]![1] * 1000} END`
  const origin = BUCKET_ORIGIN * 1000
  const w = BUCKET_MS[b] * 1000
  const x = `(${us}${shift} - ${origin})`
  return `${origin} + ${x} - ((${x} % ${w}) + ${w}) % ${w}`
}

/** Picks a bucket that gives a readable number of points for the range. */
export function bucketFor(r: Range): Bucket {
  const hours = (r.to - r.from) / 3_600_000
  return hours <= 3 ? 'minute' : hours <= 72 ? 'hour' : hours <= 24 * 120 ? 'day' : 'week'
}
