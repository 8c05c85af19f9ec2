/**
 * Identified users: an `identify` event names a visitor (`user_id`) and carries traits in `props`.
 * A user's traits are those of their latest identify event (read `historyMs` back, 90 days by default);
 * a user's events are every event of a visitor that identified as them, plus events carrying their id.
 */
import { dimension, prop, type Dimension } from './dimensions.ts'
import { DAY, eventsCte, type Scope } from './events.ts'
import { inRange, int, sql, type Query, type Range } from './query.ts'

export interface UserOptions extends Scope {
  historyMs?: number
}

function usersCte(r: Range, o: UserOptions): Query {
  return sql`${eventsCte({ from: r.from - (o.historyMs ?? 90 * DAY), to: r.to }, o)}, ids AS (
  SELECT user_id, event_time, event_id, props, vk FROM ev WHERE type = 'identify' AND user_id IS NOT NULL
), users AS (
  SELECT user_id, arg_max(props, (event_time, event_id)) AS traits, max(event_time) AS identified_at FROM ids GROUP BY user_id
), visitor_user AS (
  -- A visitor who identified as several users (a shared device) belongs to the latest.
  SELECT vk, arg_max(user_id, (event_time, event_id)) AS user_id FROM ids GROUP BY vk
), user_events AS (
  SELECT coalesce(e.user_id, vu.user_id) AS uid, e.* FROM ev e LEFT JOIN visitor_user vu USING (vk)
  WHERE e.hit AND ${inRange(r, 'e.event_time')} AND coalesce(e.user_id, vu.user_id) IS NOT NULL
)`
}

/** Rows: user_id, traits (JSON text), identified_at, last_seen, events — users active in the range. */
export function users(r: Range, o: UserOptions & { limit?: number } = {}): Query {
  return sql`WITH RECURSIVE ${usersCte(r, o)}
SELECT u.user_id, u.traits, u.identified_at, max(e.event_time) AS last_seen, count(*) AS events
FROM users u JOIN user_events e ON e.uid = u.user_id
GROUP BY u.user_id, u.traits, u.identified_at ORDER BY last_seen DESC, u.user_id LIMIT ${int(o.limit ?? 100)}`
}

/**
 * Rows: value, users, avg_trait — users active in the range by a dimension of their latest event in it,
 * with the average of a numeric trait (e.g. age). Users whose trait is missing count, without a value.
 * @example usersBy(range, 'country', 'age')
 */
export function usersBy(r: Range, dim: Dimension, trait: string, o: UserOptions = {}): Query {
  return sql`WITH RECURSIVE ${usersCte(r, o)}, per_user AS (
  SELECT uid, arg_max(${dimension(dim)}, (event_time, event_id)) AS value FROM user_events GROUP BY uid
)
SELECT p.value, count(*) AS users, avg(TRY_CAST(${prop(trait, sql`u.traits`)} AS DOUBLE)) AS avg_trait
FROM per_user p JOIN users u ON u.user_id = p.uid
GROUP BY p.value ORDER BY users DESC, p.value NULLS LAST`
}
