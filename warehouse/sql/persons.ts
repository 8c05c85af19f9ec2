/**
 * Identity stitching: the `person` an event belongs to, for per-user metrics (orders, funnels across visits,
 * retention). Visitor ids are cookieless and change every day, so a customer who comes back on Wednesday is
 * a new visitor; once a visitor identifies (`footfall.identify`, or a server-side event with a user id), all
 * the events of that canonical visitor (`vk`, events.ts), before and after, belong to that user, and so do all
 * visitor keys the same user id was seen with:
 *
 *   person = 'user:' || <the user id of the visitor key>   when one of its events carries a user id
 *          = 'visitor:' || vk                                otherwise (an anonymous visitor, never joined)
 *
 * A visitor key seen with several user ids (a shared device) belongs to the latest. Anonymised events (no
 * visitor id, `vk` NULL) belong to no person. Nothing is stored: the person is computed from the user ids the
 * site itself sent.
 */
import { sql, type Query } from './query.ts'

/**
 * CTEs after `ev` (events.ts): `visitor_person (vk, person)` for every visitor key of `ev`, and `pev`: the
 * rows of `ev` with their `person`.
 */
export function personsCte(): Query {
  return sql`visitor_user AS (
  SELECT vk, arg_max(user_id, (event_time, event_id)) AS user_id FROM ev WHERE user_id IS NOT NULL AND vk IS NOT NULL GROUP BY vk
), visitor_person AS (
  SELECT k.vk, CASE WHEN u.user_id IS NULL THEN 'visitor:' || k.vk ELSE 'user:' || u.user_id END AS person
  FROM (SELECT DISTINCT vk FROM ev WHERE vk IS NOT NULL) k LEFT JOIN visitor_user u USING (vk)
), pev AS (
  SELECT e.*, p.person FROM ev e LEFT JOIN visitor_person p USING (vk)
)`
}
