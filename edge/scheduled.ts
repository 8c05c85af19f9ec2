/**
 * The cron (`scheduled()`), see `[triggers]` in wrangler.toml. Each job is independent: one failing does not
 * stop the others, and every job must be safe to run twice or to be cut off at any point.
 */
import type { Env } from './env.ts'

export type Job = (env: Env, now: number) => Promise<void>

/** Daily salts older than two days are deleted: afterwards no visitor id can be linked to an IP again. */
export const deleteOldSalts: Job = async (env, now) => {
  const keep = new Set([0, 1, 2].map((d) => `salts/${new Date(now - d * 86_400_000).toISOString().slice(0, 10)}`))
  const list = await env.LAKE.list({ prefix: 'salts/' })
  const old = list.objects.map((o) => o.key).filter((k) => !keep.has(k))
  if (old.length) await env.LAKE.delete(old)
}

export const JOBS: Record<string, Job> = { deleteOldSalts }

export async function runJobs(env: Env, now: number, jobs: Record<string, Job> = JOBS): Promise<Record<string, string>> {
  const results = await Promise.allSettled(Object.values(jobs).map((job) => job(env, now)))
  return Object.fromEntries(
    Object.keys(jobs).map((name, i) => {
      const r = results[i]!
      if (r.status === 'rejected') console.error(`cron job ${name} failed`, (r.reason as Error)?.message)
      return [name, r.status === 'fulfilled' ? 'ok' : `failed: ${(r.reason as Error)?.message}`]
    }),
  )
}
