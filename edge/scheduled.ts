/**
 * The cron (`scheduled()`), see `[triggers]` in wrangler.toml. Each job is independent: one failing does not
 * stop the others, and every job must be safe to run twice or to be cut off at any point.
 */
import { aggregateLake } from '../warehouse/aggregate/job.ts'
import { applyRetention, compactLake, listPrefixes, type CompactOptions } from '../warehouse/compact.ts'
import { catchUpLate } from '../warehouse/late.ts'
import { EVENTS_PREFIX, SALTS_PREFIX } from '../warehouse/lake.ts'
import { DAY } from '../warehouse/time.ts'
import type { Env } from './env.ts'
import { journalOn, replay, STALE_MS } from './journal.ts'
import { zoneOf } from './sites.ts'

/** Settings of the lake jobs (wrangler.toml `[vars]`, all optional). */
export type CronEnv = Env & {
  /** Delete whole date partitions older than this many days (unset: keep everything). */
  RETENTION_DAYS?: string
  /** How many days back compaction looks for closed hours and days (default 7). */
  COMPACT_DAYS?: string
  /** Older days without an aggregate (a lake older than the tier) built per run, oldest first (default 2). */
  AGGREGATE_BACKFILL_DAYS?: string
}

export type Job = (env: CronEnv, now: number) => Promise<void>

/** Daily salts older than two days are deleted: afterwards no visitor id can be linked to an IP again. */
export const deleteOldSalts: Job = async (env, now) => {
  const keep = new Set([0, 1, 2].map((d) => `${SALTS_PREFIX}${new Date(now - d * DAY).toISOString().slice(0, 10)}`))
  const list = await env.LAKE.list({ prefix: SALTS_PREFIX })
  const old = list.objects.map((o) => o.key).filter((k) => !keep.has(k))
  if (old.length) await env.LAKE.delete(old)
}

/**
 * Compaction (warehouse/compact.ts): closed hours, then closed days, of every site; then the aggregates of
 * the closed local days (warehouse/aggregate/job.ts), which read what compaction wrote, so they run after it
 * in the same job; then the older dates late events reached (warehouse/late.ts).
 */
export const compact =
  (options: Partial<CompactOptions> = {}): Job =>
  async (env, now) => {
    const days = Number(env.COMPACT_DAYS) || 7
    const r = await compactLake(env.LAKE, { ...options, now, days })
    if (r.written.length) console.log(`compaction: ${r.written.length} files written (${r.rows} rows), ${r.deleted.length} deleted`)
    const sites = (await listPrefixes(env.LAKE, EVENTS_PREFIX)).map((p) => p.slice(`${EVENTS_PREFIX}site=`.length, -1))
    const zones = Object.fromEntries(sites.map((s) => [s, zoneOf(env, s)]))
    const backfill = env.AGGREGATE_BACKFILL_DAYS === undefined ? undefined : Number(env.AGGREGATE_BACKFILL_DAYS)
    const a = await aggregateLake(env.LAKE, sites, { now, days, zones, backfill })
    if (a.built.length) console.log(`aggregates: ${a.built.length} days built`)
    // Dates older than those days that received a part since (warehouse/late.ts).
    const late = await catchUpLate(env.LAKE, { now, settledAt: options.settledAt, zones })
    if (late.dates.length) console.log(`late events: ${late.dates.join(', ')} compacted and aggregated again`)
    const failed = [...r.failed, ...a.failed.map((f) => `aggregate ${f}`), ...late.failed.map((f) => `late ${f}`)]
    if (failed.length) throw new Error(`compaction failed for ${failed.join('; ')}`)
  }

/** Retention: whole date partitions older than RETENTION_DAYS go (events, drop ledger, dead letters). */
export const retention: Job = async (env, now) => {
  const days = Number(env.RETENTION_DAYS)
  if (!env.RETENTION_DAYS || !Number.isInteger(days) || days < 1) return
  const deleted = await applyRetention(env.LAKE, days, now)
  if (deleted) console.log(`retention: ${deleted} files older than ${days} days deleted`)
}

/** Queue journal entries (edge/journal.ts) no live message can still own are sent to the queue again. */
export const replayJournal: Job = async (env, now) => {
  if (journalOn(env)) await replay(env, now - STALE_MS)
}

export const JOBS: Record<string, Job> = { deleteOldSalts, compact: compact(), retention, replayJournal }

export async function runJobs(env: CronEnv, now: number, jobs: Record<string, Job> = JOBS): Promise<Record<string, string>> {
  const results = await Promise.allSettled(Object.values(jobs).map((job) => job(env, now)))
  return Object.fromEntries(
    Object.keys(jobs).map((name, i) => {
      const r = results[i]!
      if (r.status === 'rejected') console.error(`cron job ${name} failed`, (r.reason as Error)?.message)
      return [name, r.status === 'fulfilled' ? 'ok' : `failed: ${(r.reason as Error)?.message}`]
    }),
  )
}
