/**
 * Funnels: how many sessions (or visitors) went through ordered steps.
 * - `within: 'session'`: the steps happen in order within one session;
 * - `within: { minutes: N }`: per visitor, every step within N minutes of the visitor's first step 1.
 * A step is a set of conditions on allowed dimensions (`{ dim: 'path', op: 'is', value: '/cart' }`).
 * Step n counts keys that reached step n-1 and then, at the same time or later, step n.
 */
import { eventsCte } from './events.ts'
import { where, type Filter } from './filters.ts'
import { inRange, int, join, sql, trusted, type Query, type Range } from './query.ts'
import { sessionsCte, type SessionOptions } from './sessions.ts'

export interface FunnelStep {
  label?: string
  where: readonly Filter[]
}

export interface FunnelOptions extends SessionOptions {
  within: 'session' | { minutes: number }
}

/**
 * Rows: step (1-based), label, entrants (sessions or visitors), rate (of step 1, 0..1), rate_from_previous.
 * @example funnel(range, [{ where: [{ dim: 'path', op: 'is', value: '/' }] }, { where: [{ dim: 'name', op: 'is', value: 'purchase' }] }], { within: 'session' })
 */
export function funnel(r: Range, steps: readonly FunnelStep[], o: FunnelOptions): Query {
  if (steps.length < 1 || steps.length > 20) throw new Error('a funnel has 1 to 20 steps')
  const bySession = o.within === 'session'
  const source = bySession
    ? sql`WITH RECURSIVE ${sessionsCte(r, { ...o, materialised: false })}, fe AS (
  SELECT session_id AS key, event_time, epoch_ms(event_time) AS t, * EXCLUDE (event_time) FROM sev
  WHERE session_id IN (SELECT session_id FROM sessions)
)`
    : sql`WITH RECURSIVE ${eventsCte(r, o)}, fe AS (
  SELECT vk AS key, event_time, epoch_ms(event_time) AS t, * EXCLUDE (event_time) FROM ev WHERE ${inRange(r)}
)`
  const limit = bySession ? trusted('') : sql` AND e.t <= p.t1 + ${int((o.within as { minutes: number }).minutes * 60_000)}`
  const ctes = steps.map((s, i) =>
    i === 0
      ? sql`s1 AS (SELECT key, min(t) AS t, min(t) AS t1 FROM fe WHERE ${where(s.where)} GROUP BY key)`
      : sql`${trusted(`s${i + 1}`)} AS (
  SELECT p.key, min(e.t) AS t, any_value(p.t1) AS t1 FROM ${trusted(`s${i}`)} p JOIN fe e ON e.key = p.key AND e.t >= p.t${limit}
  WHERE ${where(s.where, 'e')} GROUP BY p.key)`,
  )
  const counts = join(
    steps.map(
      (s, i) =>
        sql`SELECT ${int(i + 1)} AS step, ${s.label ?? `step ${i + 1}`} AS label, (SELECT count(*) FROM ${trusted(`s${i + 1}`)}) AS entrants`,
    ),
    '\nUNION ALL ',
  )
  return sql`${source}, ${join(ctes, ',\n')}, counts AS (${counts})
SELECT step, label, entrants,
  entrants / nullif(first_value(entrants) OVER (ORDER BY step), 0) AS rate,
  entrants / nullif(lag(entrants, 1, entrants) OVER (ORDER BY step), 0) AS rate_from_previous
FROM counts ORDER BY step`
}
