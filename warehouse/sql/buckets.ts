/**
 * Time buckets of the dashboard's time series (`series` in dashboard/src/queries/overview.ts) and of the
 * bucket picker: the sizes offered, and the one that gives a readable number of points for a range.
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

/** Picks a bucket that gives a readable number of points for the range. */
export function bucketFor(r: Range): Bucket {
  const hours = (r.to - r.from) / 3_600_000
  return hours <= 3 ? 'minute' : hours <= 72 ? 'hour' : hours <= 24 * 120 ? 'day' : 'week'
}
