/**
 * Sessionization: per canonical visitor (`events.ts`), events ordered by time; a gap longer than the
 * session gap (30 minutes by default; exactly 30:00 still continues) starts a new session.
 *
 * - Order independent and duplicate-proof: it works on the deduplicated view and sorts by (time, id).
 * - A session belongs to the range its first event falls in, and is built from all of its events, even
 *   those past the range's end or in another partition or file, however long it lasts (a 26-hour visit
 *   without a 30-minute gap is one visit of 26 hours, whatever the range): sessions that cross midnight or
 *   a partition are counted once, in one range. Every loaded event after the range's start is read, so
 *   the answer does not depend on how far past the range a reader looks; events up to `lookbackMs` before
 *   the range are read so a session that began earlier is not counted again as a new one.
 * - With filters, a session counts if any of its events matches.
 */
import { SOURCE_COLUMNS } from '../aggregate/columns.ts'
import {
  countingCte,
  createCustomEvents,
  DAY,
  eventsCte,
  MAX_TIME,
  readsLoadTables,
  VID,
  visitorKeys,
  VISITOR_KEYS,
  type Scope,
} from './events.ts'
import { inlined, int, inRange, sql, trusted, type Query, type Range } from './query.ts'
import { VISITOR_HOURS, visitorHoursOf } from './visitor-hours.ts'
import { SESSION_GAP_MS } from '../session-gap.ts'

/**
 * A bounce: a visit of exactly one pageview and no custom event. Engagement (time and scroll on the page)
 * and identify events are not interactions; a visit without any pageview (an identify or a late engagement
 * alone) is not a bounce, as it saw no page. The sessions' SQL below and the aggregate tier
 * (warehouse/aggregate/build.ts) count by this rule.
 */
export const isBounce = (pageviews: number, customEvents: number): boolean => pageviews === 1 && customEvents === 0

export interface SessionOptions extends Scope {
  /** Inactivity that ends a session, ms (default 30 minutes). */
  gapMs?: number
  /**
   * How far before the range events are read, ms (default 1 day; the gap is enough to know that a session
   * began before the range). After the range, every loaded event is read: a session is never cut short.
   */
  lookbackMs?: number
}

/**
 * CTEs: `ev` (events.ts), `sev` (events of the window with `session_id`), and `sessions` (one row per
 * session that starts in the range and holds a row matching the filters), with these columns:
 * session_id, vk, start_time, end_time, duration_ms, pageviews, events, bounce, entry_page, exit_page,
 * channel, referrer_host, utm_source, utm_medium, utm_campaign, country, region, city, device_type,
 * browser, os.
 */
export function sessionsCte(r: Range, o: SessionOptions = {}, keys = true): Query {
  const gap = o.gapMs ?? SESSION_GAP_MS
  const window = { from: r.from - (o.lookbackMs ?? DAY), to: MAX_TIME }
  if (!readsVisits(o)) return sessionsOf(eventsCte(window, o), r, gap)
  // The sessions of `visits`; `sev` (events with their session) is not available on this path, nor `vk`
  // on `ev` when `keys` is false (a query that only counts visitors: `countVisitors`).
  const events = keys ? eventsCte(window, o) : countingCte(window, o)
  return sql`${events}, sessions AS (
  SELECT * FROM ${trusted(VISITS)} WHERE ${inRange(r, 'start_time')}
)`
}

/**
 * `visits`: the sessions of every loaded event (bots left out), one row each, built by `materialise()`;
 * besides `sessionsCte`'s columns, the visitor's number `vid` (counted by `sessionVisitor`).
 */
export const VISITS = 'visits'

/** `visitor_ids (vk, vid)`: the number of each canonical visitor key, for the events' `vid` (events.ts). */
export const VISITOR_IDS = 'visitor_ids'

/** The column a count of distinct visitors over `sessions` counts: `vid` in `visits`, else the key `vk`. */
export function sessionVisitor(o: SessionOptions): Query {
  return trusted(readsVisits(o) ? VID : 'vk')
}

/**
 * Whether the sessions of a scope are read from `visits`: materialised, no filters (a filter keeps the
 * sessions holding a matching event), the default gap.
 */
function readsVisits(o: SessionOptions): boolean {
  return readsLoadTables(o) && (o.gapMs ?? SESSION_GAP_MS) === SESSION_GAP_MS
}

/**
 * The statements that build, once per load, what `materialised` scopes read: `visitor_keys` (events.ts),
 * `visitor_ids` and the events' `vid` column (added to the `events` table, which must be a table),
 * `visitor_hours` (visitor-hours.ts), `custom_events` (events.ts) and `visits` (the sessions of every
 * loaded event, bots left out). Run them again after new events are loaded. Sessions are cut as `sessionsCte` cuts them; only the number in `session_id` counts from the
 * first loaded event instead of the range's lookback, so ids, not sessions, can differ.
 * Queries that join sessions to their events (`sev`: funnels, orders) keep sessionizing per query.
 */
export function materialise(): string[] {
  return [
    `CREATE OR REPLACE TABLE ${VISITOR_KEYS} AS ${inlined(visitorKeys())}`,
    `ALTER TABLE events ADD COLUMN IF NOT EXISTS ${VID} INTEGER`,
    `CREATE OR REPLACE TABLE ${VISITOR_IDS} (vk VARCHAR, vid INTEGER)`,
    ...numberVisitors('TRUE'),
    `CREATE OR REPLACE TABLE ${VISITOR_HOURS} AS ${visitorHoursOf()}`,
    createCustomEvents,
    `CREATE OR REPLACE TABLE ${VISITS} AS ${inlined(allVisits())}`,
  ]
}

/**
 * Numbers the canonical visitors of the events matching `cond` (SQL on `e`, an events row) that have no
 * number yet, and sets `vid` on every event of those events' visitor ids (bots left out, as in
 * `visitor_keys`). Set per visitor id, not per event: updating one small column in place is far cheaper
 * than rewriting the table.
 */
function numberVisitors(cond: string): string[] {
  const mine = `NOT e.is_bot AND (${cond})`
  // The visitor ids first (far fewer than events), then their keys.
  const ids = `SELECT DISTINCT e.visitor_id AS v FROM events e WHERE e.visitor_id IS NOT NULL AND ${mine}`
  const keyed = `SELECT x.v, coalesce(k.root, x.v) AS vk FROM (${ids}) x LEFT JOIN ${VISITOR_KEYS} k ON k.v = x.v`
  return [
    `INSERT INTO ${VISITOR_IDS} SELECT vk, (SELECT coalesce(max(vid), 0) FROM ${VISITOR_IDS}) + row_number() OVER ()
FROM (SELECT vk FROM (${keyed}) UNION SELECT 'event:' || e.event_id FROM events e WHERE e.visitor_id IS NULL AND ${mine}) n
WHERE vk NOT IN (SELECT vk FROM ${VISITOR_IDS})`,
    `UPDATE events AS e SET ${VID} = m.vid FROM (SELECT x.v, i.vid FROM (${keyed}) x JOIN ${VISITOR_IDS} i USING (vk)) m
WHERE e.visitor_id = m.v AND NOT e.is_bot`,
    `UPDATE events AS e SET ${VID} = i.vid FROM ${VISITOR_IDS} i WHERE e.visitor_id IS NULL AND ${mine} AND i.vk = 'event:' || e.event_id`,
  ]
}

const ALL = { from: 0, to: MAX_TIME }
// Only the columns sessions are made of: every column of every event would not fit DuckDB-WASM's memory.
const VISIT_COLUMNS = ['event_id', 'event_time', 'type', 'path', 'visitor_id', ...SOURCE_COLUMNS]

/** The sessions of every loaded event (bots left out), or only of the visitor keys in table `only`. */
function allVisits(only?: string): Query {
  // Windows partitioned by the visitor's number (vid, one per key) rather than its text key: same sessions.
  return sql`WITH RECURSIVE ${sessionsOf(eventsCte(ALL, { materialised: true }, [...VISIT_COLUMNS, VID], only), ALL, SESSION_GAP_MS, VID)}
SELECT * FROM sessions ORDER BY start_time, session_id`
}

/** `fresh_visitors (v)`: the visitor keys new events may touch, filled by `freshVisitors` before a merge. */
export const FRESH_VISITORS = 'fresh_visitors'

/**
 * Fills `fresh_visitors` from the new events in `table` (before they are merged into `events`): their
 * visitor ids, previous ids, and the keys of events without a visitor id.
 */
export function freshVisitors(table: string): string {
  return `CREATE OR REPLACE TEMP TABLE ${FRESH_VISITORS} AS SELECT visitor_id AS v FROM ${table} WHERE visitor_id IS NOT NULL
UNION SELECT visitor_id_prev FROM ${table} WHERE visitor_id_prev IS NOT NULL
UNION SELECT 'event:' || event_id FROM ${table} WHERE visitor_id IS NULL`
}

/**
 * What `materialise()` builds, updated after new events (listed by `freshVisitors`) were merged into
 * `events` (with `vid` NULL): only the sessions of the visitors whose events changed are cut again. A
 * visitor id's key changes when a new event links it to an earlier id, or when earlier events of its
 * chain arrive later (a range extended into the past): the ids whose key changed are found by comparing
 * `visitor_keys` before and after, and both their old and new keys are cut again, with the keys of the new
 * events. A visitor's sessions are always cut from all of its events, so the result equals
 * `materialise()`'s (a golden test holds it to that); `vid` numbers differ, one per key all the same.
 */
export function materialiseNew(): string[] {
  return [
    `CREATE OR REPLACE TEMP TABLE keys_before AS SELECT * FROM ${VISITOR_KEYS}`,
    `CREATE OR REPLACE TABLE ${VISITOR_KEYS} AS ${inlined(visitorKeys())}`,
    `CREATE OR REPLACE TEMP TABLE moved AS SELECT coalesce(b.v, a.v) AS v, b.root AS was, a.root AS now
FROM keys_before b FULL JOIN ${VISITOR_KEYS} a ON a.v = b.v WHERE b.root IS DISTINCT FROM a.root`,
    `CREATE OR REPLACE TEMP TABLE touched AS SELECT coalesce(was, v) AS vk FROM moved UNION SELECT coalesce(now, v) FROM moved
UNION SELECT coalesce(k.root, f.v) FROM ${FRESH_VISITORS} f LEFT JOIN ${VISITOR_KEYS} k ON k.v = f.v`,
    ...numberVisitors(`e.${VID} IS NULL OR e.visitor_id IN (SELECT v FROM moved)`),
    `DELETE FROM ${VISITOR_HOURS} WHERE ${touchedVids}`,
    `INSERT INTO ${VISITOR_HOURS} ${visitorHoursOf(touchedVids)}`,
    // Built again whole (new events, and visitors with a new number, change it): ~0.2 s at 1M events in
    // DuckDB-WASM, the props parse included; per visitor, as visitor_hours is, if realtime polls feel it.
    createCustomEvents,
    `DELETE FROM ${VISITS} WHERE vk IN (SELECT vk FROM touched)`,
    `INSERT INTO ${VISITS} ${inlined(allVisits('touched'))}`,
    `DROP TABLE touched`,
    `DROP TABLE moved`,
    `DROP TABLE keys_before`,
    `DROP TABLE ${FRESH_VISITORS}`,
  ]
}

/** The numbers of the `touched` keys: old and new numbers of a moved visitor id (its old key keeps its number). */
const touchedVids = `${VID} IN (SELECT vid FROM ${VISITOR_IDS} WHERE vk IN (SELECT vk FROM touched))`

/**
 * `by`: the column the windows partition by, `vk` or one that groups the rows as `vk` does (`vid`, then
 * also a column of the sessions).
 */
function sessionsOf(events: Query, r: Range, gap: number, by = 'vk'): Query {
  return sql`${events}, marked AS (
  SELECT *, CASE WHEN epoch_ms(event_time) - lag(epoch_ms(event_time)) OVER w <= ${int(gap)} THEN 0 ELSE 1 END AS is_new,
    row_number() OVER w AS seq
  FROM ev WINDOW w AS (PARTITION BY ${trusted(by)} ORDER BY event_time, event_id)
), sev AS (
  SELECT * EXCLUDE (is_new), is_new = 1 AS is_first,
    vk || '#' || sum(is_new) OVER (PARTITION BY ${trusted(by)} ORDER BY event_time, event_id ROWS UNBOUNDED PRECEDING) AS session_id
  FROM marked
), session_stats AS (
  SELECT session_id, any_value(vk) AS vk,${trusted(by === 'vk' ? '' : ` any_value(${by}) AS ${by},`)} min(event_time) AS start_time, max(event_time) AS end_time,
    epoch_ms(max(event_time)) - epoch_ms(min(event_time)) AS duration_ms,
    count(*) FILTER (WHERE type = 'pageview') AS pageviews,
    count(*) FILTER (WHERE type = 'event') AS events,
    -- A bounce (\`isBounce\`): one page seen and nothing done on it.
    count(*) FILTER (WHERE type = 'pageview') = 1 AND count(*) FILTER (WHERE type = 'event') = 0 AS bounce,
    -- seq orders a visitor's events by (time, id), so ties resolve the same way in every engine.
    arg_min(path, seq) FILTER (WHERE type = 'pageview') AS entry_page,
    arg_max(path, seq) FILTER (WHERE type = 'pageview') AS exit_page
  FROM sev GROUP BY session_id
  HAVING ${inRange(r, 'min(event_time)')} AND bool_or(hit)
), sessions AS (
  -- Source and visitor columns come from the row that opened the session (a join beats 11 filtered aggregates).
  SELECT st.*, ${trusted(SOURCE_COLUMNS.map((c) => `f.${c}`).join(', '))}
  FROM session_stats st JOIN sev f ON f.session_id = st.session_id AND f.is_first
)`
}

/** One row per session of the range, earliest first (columns of `sessionsCte`; not `visits`' own `vid`). */
export function sessions(r: Range, o: SessionOptions = {}): Query {
  return sql`WITH RECURSIVE ${sessionsCte(r, o)}
SELECT * ${trusted(readsVisits(o) ? `EXCLUDE (${VID}) ` : '')}FROM sessions ORDER BY start_time, session_id`
}

/**
 * One row, `open`: how many sessions of the range may go on past `t`, their last event no more than the
 * gap before it. A reader holding the events up to `t` only (the CLI over the lake API or R2) reads the
 * next day's files while this is not 0, so that a session is built from all of its events there too.
 */
export function sessionsOpenAt(r: Range, t: number, o: SessionOptions = {}): Query {
  return sql`WITH RECURSIVE ${sessionsCte(r, { ...o, materialised: false })}
SELECT count(*) AS open FROM sessions WHERE epoch_ms(end_time) >= ${int(t - (o.gapMs ?? SESSION_GAP_MS))}`
}
