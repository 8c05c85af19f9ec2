/**
 * Retention: a cohort table. People (persons.ts: a customer's visitor ids of several days joined by the user
 * id they were seen with) or visitors, by the week of their first event in the range (weeks start on
 * Monday, UTC), and how many of each cohort had an event in each of the following weeks. Events after the
 * range are read too, so a cohort's later weeks fill as time goes on.
 */
import { eventsCte, MAX_TIME, type Scope } from './events.ts'
import { personsCte } from './persons.ts'
import { int, join, sql, trusted, type Query, type Range } from './query.ts'

export interface RetentionOptions extends Scope {
  /** The weeks after the first shown as columns (default 4: week_1 .. week_4). */
  weeks?: number
  /** Count people (default) or canonical visitors (whose ids change daily: they seldom come back). */
  by?: 'person' | 'visitor'
}

const WEEK_DAYS = 7

/**
 * Rows, one per cohort, earliest first: cohort (its Monday, YYYY-MM-DD), size (who came first that week),
 * week_1 .. week_<weeks> (how many of them had an event that many weeks later).
 */
export function retention(r: Range, o: RetentionOptions = {}): Query {
  const weeks = o.weeks ?? 4
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > 26) throw new Error('retention shows 1 to 26 weeks')
  const who = o.by === 'visitor' ? `'visitor:' || vk` : 'person'
  const columns = join(
    Array.from(
      { length: weeks },
      (_, i) => sql`count(DISTINCT a.who) FILTER (WHERE a.week = ${int(i + 1)}) AS ${trusted(`week_${i + 1}`)}`,
    ),
    ', ',
  )
  return sql`WITH RECURSIVE ${eventsCte({ from: r.from, to: MAX_TIME }, o)}, ${personsCte()}, act AS (
  SELECT DISTINCT ${trusted(who)} AS who, CAST(date_trunc('week', event_time) AS DATE) AS wk FROM pev WHERE hit AND vk IS NOT NULL
), cohorts AS (
  SELECT who, min(wk) AS cohort FROM act GROUP BY who
  HAVING min(wk) <= CAST(date_trunc('week', epoch_ms(${int(r.to)})) AS DATE)
), weeks AS (
  SELECT c.cohort, a.who, CAST((a.wk - c.cohort) / ${int(WEEK_DAYS)} AS INTEGER) AS week FROM cohorts c JOIN act a USING (who)
)
SELECT strftime(a.cohort, '%Y-%m-%d') AS cohort, count(DISTINCT a.who) FILTER (WHERE a.week = 0) AS size, ${columns}
FROM weeks a GROUP BY a.cohort ORDER BY a.cohort`
}
