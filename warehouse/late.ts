/**
 * Late events: a server-side event may be up to 400 days old, and a queue redelivery can land after its day
 * closed. The cron compacts and aggregates only its recent days (`COMPACT_DAYS`), so a part landing in an
 * older date would stay a part, and that date's aggregates would disagree with its events. So the consumer
 * marks such a date before it writes the part (`markLate`: `late/site=<s>/date=<d>`, an empty object), and
 * the cron (`catchUpLate`) compacts each marked date, rebuilds the aggregates of the local days around it
 * (job.ts: a day whose files changed gets a new digest), and deletes the marker only once the date holds
 * compacted files alone. Marker first, part second: a crash between them leaves a marker with nothing to
 * do, never a part without a marker.
 */
import { compactDate, type CompactOptions, type LakeBucket } from './compact.ts'
import { aggregateDay } from './aggregate/job.ts'
import { addDays } from './aggregate/zone.ts'
import { datePrefix, LATE_PREFIX, listAll, visibleObjects, type Partition } from './lake.ts'
import { DAY } from './time.ts'

/** The marker of a date that received a part after the cron's usual days. */
export const lateKey = (site: string, date: string) => `${LATE_PREFIX}site=${site}/date=${date}`

/** Whether a part of `date` lands late at `now`: its date is before yesterday (UTC). */
export const isLate = (date: string, now: number) => date < new Date(now - DAY).toISOString().slice(0, 10)

/**
 * Marks the partition's date when it is late (the consumer, before it writes the part). R2 refuses a second
 * write of one key within a second: a put refused while another writer's mark stands is as good as done.
 */
export async function markLate(lake: Pick<LakeBucket, 'put' | 'get'>, p: Partition, now: number): Promise<void> {
  if (!isLate(p.date, now)) return
  const key = lateKey(p.site, p.date)
  try {
    await lake.put(key, new ArrayBuffer(0))
  } catch (e) {
    if (!(await lake.get(key))) throw e
  }
}

/**
 * Compacts and re-aggregates every marked date (the cron, after its usual work); `zones` maps a site to its
 * time zone. Returns what it caught up and what failed (kept marked, tried again next run).
 */
export async function catchUpLate(
  lake: LakeBucket,
  o: Pick<CompactOptions, 'now' | 'settledAt'> & { zones?: Record<string, string> },
): Promise<{ dates: string[]; failed: string[] }> {
  const out = { dates: [] as string[], failed: [] as string[] }
  for (const marker of await listAll(lake, LATE_PREFIX)) {
    const m = /^late\/site=([^/]+)\/date=(\d{4}-\d\d-\d\d)$/.exec(marker.key)
    if (!m) continue
    const [, site, date] = m as unknown as [string, string, string]
    try {
      await compactDate(lake, site, date, { now: o.now, settledAt: o.settledAt })
      const { visible } = visibleObjects(await listAll(lake, datePrefix(site, date)))
      // Parts too young to compact (the settle time) wait for the next run, marker kept.
      if (visible.some((f) => f.key.includes('/hour='))) continue
      // A UTC date lies in the local days before, on and after it in any zone (sessions cross midnight too).
      const tz = o.zones?.[site] ?? 'UTC'
      let waiting = false
      // (Its slices follow in the cron's later runs, within their budget: job.ts `unslicedDates`.)
      for (const d of [addDays(date, -1), date, addDays(date, 1)])
        waiting ||= (await aggregateDay(lake, site, d, { now: o.now, tz, sliceBudget: { events: 0 } })).status === 'waiting'
      // A neighbouring date still in parts (its own marker, or the cron's usual days): next run.
      if (waiting) continue
      await lake.delete(marker.key)
      out.dates.push(`${site}/${date}`)
    } catch (e) {
      out.failed.push(`${site}/${date}: ${(e as Error).message}`)
    }
  }
  return out
}
