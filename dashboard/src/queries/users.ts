/**
 * Identified users: the latest traits of each user id (props of its "identify" events) joined to the
 * events of the visitor ids it was seen with, grouped by country or by a trait.
 */
import type { Query } from '../../../warehouse/sql/query.ts'
import { propValueSql, where, type Scope } from './filters.ts'

/**
 * Rows (value, users, avg_<numeric trait>, events), grouped by `group`: "country" or "trait:<key>".
 * The numeric trait (for example "age") is averaged over the users of each group.
 */
export function usersBy(s: Scope, group: string, numericTrait = 'age'): Query {
  const w = where(s)
  const byTrait = group.startsWith('trait:')
  const params: (string | number | boolean)[] = [...w.params]
  const groupSql = byTrait ? `coalesce(${propValueSql('u.traits')}, '(none)')` : `coalesce(x.country, '(none)')`
  if (byTrait) params.push(group.slice(6))
  params.push(numericTrait)
  return {
    sql: `WITH ev AS (SELECT * FROM events WHERE ${w.sql}),
u AS (
  SELECT user_id, arg_max(props, event_time) AS traits, list(DISTINCT visitor_id) AS visitors
  FROM ev WHERE type = 'identify' AND user_id IS NOT NULL GROUP BY user_id
), x AS (
  SELECT u.user_id, mode(e.country) AS country, count(e.event_id) AS events
  FROM u JOIN ev e ON list_contains(u.visitors, e.visitor_id) GROUP BY u.user_id
)
SELECT ${groupSql} AS value, count(*) AS users,
  round(avg(TRY_CAST(${propValueSql('u.traits')} AS DOUBLE)), 1) AS avg_trait, CAST(sum(x.events) AS BIGINT) AS events
FROM u JOIN x USING (user_id) GROUP BY value ORDER BY users DESC, value LIMIT 50`,
    params,
  }
}
