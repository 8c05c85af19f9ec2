/**
 * The events every query starts from: the deduplicated `events` view (one row per event id, `ddl.ts`) of
 * one site and time window, bots left out unless asked for, each row keyed by its canonical visitor.
 *
 * The visitor id is a hash with a salt that rotates at UTC midnight, so one person has a new visitor_id
 * each day. In the first 30 minutes after midnight the edge also writes `visitor_id_prev`, the same hash
 * with the previous day's salt. An event whose `visitor_id_prev` is the `visitor_id` of earlier events
 * continues that visitor: both ids map to one key (`vk`), the earliest id of the chain, so a visit that
 * spans the rotation is one visitor and one session.
 */
import { where, type Filter } from './filters.ts'
import { PROP_PAIR_RE } from './dimensions.ts'
import { inRange, literal, sql, trusted, type Query, type Range } from './query.ts'

/** What a query looks at, besides its time range. */
export interface Scope {
  /** Only this site (default: every site loaded). */
  site?: string
  /** Include events flagged as bots (default false: bots are stored but left out). */
  bots?: boolean
  /** Dimension filters (`filters.ts`); rows that match have `hit` = true. */
  filters?: readonly Filter[]
  /**
   * Read the tables `materialise()` (`sessions.ts`) built once per load: canonical visitor keys from
   * `visitor_keys` instead of following the chain in every query, visitor numbers from the events' `vid`
   * to count visitors, and sessions from `visits` where the scope allows (no filters, no bots). Queries
   * answer the same as without it.
   */
  materialised?: boolean
}

export { DAY, HOUR, MINUTE } from '../time.ts'

/** Longest chain of salt rotations followed (one per day a visit spans midnight). */
const MAX_CHAIN = 31

/** The conditions of the scope except filters: site and bots. */
function scopeSql(s: Scope, table = ''): Query {
  const t = table ? `${table}.` : ''
  const site = s.site === undefined ? trusted('TRUE') : sql`${trusted(t)}site = ${s.site}`
  return sql`${site} AND ${trusted(s.bots ? 'TRUE' : `NOT ${t}is_bot`)}`
}

/**
 * CTEs (for a `WITH RECURSIVE` list) that define `ev`: the deduplicated events of the window and scope,
 * with `vk` (canonical visitor key) and `hit` (the row matches the filters). Filters do not remove rows
 * here, so sessions are cut by time only; queries count `hit` rows or sessions holding one.
 * `columns` (library constants) keeps only those columns of the events (the live path needs
 * event_id, visitor_id and visitor_id_prev among them).
 */
export function eventsCte(window: Range, s: Scope = {}, columns?: readonly string[], onlyKeysIn?: string): Query {
  return cte(window, s, columns, onlyKeysIn, true)
}

/**
 * `ev` as `eventsCte` defines it, for queries that count visitors (`countVisitors`) but read no key: a
 * materialised scope then reads the events as they are, without the join that gives `vk`.
 * `only: 'event'`: the query reads custom events only (it filters `type = 'event'` itself); a
 * materialised scope without filters then reads them from `custom_events` (a fifth of the rows, five
 * columns) instead of every event.
 */
export function countingCte(window: Range, s: Scope = {}, only?: 'event'): Query {
  if (only === 'event' && readsLoadTables(s)) {
    return sql`ev AS (
  SELECT ${trusted(CUSTOM_EVENT_COLUMNS.join(', '))}, 'event' AS type, TRUE AS hit FROM ${trusted(CUSTOM_EVENTS)} WHERE ${inRange(window)}
)`
  }
  return cte(window, s, undefined, undefined, false)
}

/**
 * `custom_events`: the custom events (type 'event') of the loaded events, bots left out, as `countingCte`
 * reads them; their props parsed once into `prop_keys` (each key as written, with its quotes) and
 * `prop_values` (each value as written), pair by pair (`PROP_PAIR_RE`), instead of by a regular
 * expression over every props text in every property query.
 */
export const CUSTOM_EVENTS = 'custom_events'
const CUSTOM_EVENT_COLUMNS = ['event_time', 'name', 'vid', 'prop_keys', 'prop_values']

/** Builds `custom_events` from the loaded `events` (after their `vid` is set): for `materialise()`. */
export const createCustomEvents = `CREATE OR REPLACE TABLE ${CUSTOM_EVENTS} AS SELECT event_time, name, vid,
  regexp_extract_all(props, ${literal(PROP_PAIR_RE).sql}, 1) AS prop_keys, regexp_extract_all(props, ${literal(PROP_PAIR_RE).sql}, 2) AS prop_values
FROM events WHERE type = 'event' AND NOT is_bot`

/**
 * `count(DISTINCT <visitor>)` over `ev` rows: `vid` (an integer per canonical visitor, `materialise()`) in
 * a materialised scope, `vk` otherwise; the same number (one vid per vk), and distinct integers are
 * counted at about half the cost of text.
 */
export function countVisitors(s: Scope): Query {
  return trusted(usesMaterialised(s) ? `count(DISTINCT ${VID})` : 'count(DISTINCT vk)')
}

function cte(window: Range, s: Scope, columns: readonly string[] | undefined, onlyKeysIn: string | undefined, keys: boolean): Query {
  const scope = scopeSql(s, 'e')
  const select = trusted(columns ? columns.map((c) => `e."${c}"`).join(', ') : 'e.*')
  if (usesMaterialised(s) && !keys) {
    return sql`ev AS (
  SELECT ${select}, ${where(s.filters, 'e')} AS hit FROM events e WHERE ${inRange(window, 'e.event_time')} AND ${scope}
)`
  }
  if (usesMaterialised(s)) {
    const vk = visitorKey('k.root', 's')
    // `onlyKeysIn`: a table (vk) of this library; only the events of those visitors.
    const only = trusted(onlyKeysIn ? `WHERE ${vk} IN (SELECT vk FROM ${onlyKeysIn})` : '')
    return sql`scoped AS (
  SELECT ${select} FROM events e WHERE ${inRange(window, 'e.event_time')} AND ${scope}
), ev AS (
  SELECT s.*, ${trusted(vk)} AS vk, ${where(s.filters, 's')} AS hit
  FROM scoped s LEFT JOIN ${trusted(VISITOR_KEYS)} k ON k.v = s.visitor_id ${only}
)`
  }
  return sql`scoped AS (
  SELECT ${select} FROM events e WHERE ${inRange(window, 'e.event_time')} AND ${scope}
), links AS (
  SELECT visitor_id AS v, min(visitor_id_prev) AS p FROM scoped
  WHERE visitor_id_prev IS NOT NULL AND visitor_id_prev <> visitor_id
    AND visitor_id_prev IN (SELECT visitor_id FROM scoped WHERE visitor_id IS NOT NULL)
  GROUP BY visitor_id
), chain AS (
  SELECT v, p AS root, 1 AS depth FROM links
  UNION ALL
  SELECT c.v, l.p, c.depth + 1 FROM chain c JOIN links l ON l.v = c.root WHERE c.depth < ${trusted(String(MAX_CHAIN))}
), roots AS (
  SELECT v, arg_max(root, depth) AS root FROM chain GROUP BY v
), ev AS (
  SELECT s.*, ${trusted(visitorKey('r.root', 's'))} AS vk, ${where(s.filters, 's')} AS hit
  FROM scoped s LEFT JOIN roots r ON r.v = s.visitor_id
)`
}

/**
 * The canonical visitor key of an event `e` (SQL), given the `root` its visitor id's chain leads to (NULL
 * for none): the root, else its own visitor id, else (an event without one) the event itself.
 */
export const visitorKey = (root: string, e: string) => `coalesce(${root}, ${e}.visitor_id, 'event:' || ${e}.event_id)`

/** `visitor_keys (v, root)`: each visitor id whose chain leads to an earlier one, and that root. */
export const VISITOR_KEYS = 'visitor_keys'

/**
 * The column `materialise()` adds to the loaded `events`: an integer per canonical visitor key (numbered
 * in `visitor_ids (vk, vid)`), set on every event that is not a bot.
 */
export const VID = 'vid'

/**
 * Whether a scope reads the materialised tables: they hold the keys of every loaded event, bots left out,
 * every site; so a scope with bots or one site computes its own.
 */
export function usesMaterialised(s: Scope): boolean {
  return !!s.materialised && !s.bots && s.site === undefined
}

/**
 * Whether a scope's rows can be read from the tables `materialise()` pre-aggregates or copies per load
 * (`visits`, `visitor_hours`, `custom_events`): materialised and no filter (a filter may name any column of
 * any event, which those tables do not keep).
 */
export function readsLoadTables(s: Scope): boolean {
  return usesMaterialised(s) && !s.filters?.length
}

/** `visitor_keys` over every loaded event (bots left out), for `materialise()`. */
export function visitorKeys(): Query {
  return sql`WITH RECURSIVE ${eventsCte({ from: 0, to: MAX_TIME }, {}, ['event_id', 'visitor_id', 'visitor_id_prev'])}
SELECT v, root FROM roots`
}

/** The last millisecond of year 9999: a range with it as the end holds every event. */
export const MAX_TIME = 253_402_300_799_999

/**
 * The events of a range as stored (every column), deduplicated, scoped and filtered, plus `vk`.
 * The CLI's `export` and ad-hoc tools start here.
 */
export function eventsIn(r: Range, s: Scope = {}): Query {
  return sql`WITH RECURSIVE ${eventsCte(r, s)}
SELECT * EXCLUDE (hit) FROM ev WHERE hit ORDER BY event_time, event_id`
}
