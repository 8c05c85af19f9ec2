/**
 * The overview's answers from the aggregate tier (warehouse/aggregate/columns.ts), combined with the raw
 * events of the days no aggregate covers yet (the open day). A range is split in two (`Split`): `agg`, whole
 * local days read from the `aggregates` table, and `raw`, read from the events as the rest of the library
 * does; every figure is the sum of its two parts, so it equals the raw answer over the whole range (the
 * golden tests hold it to that), except:
 *
 * - Unique visitors over several aggregated days: the days' HyperLogLog sketches merged (`hllEstimate`,
 *   standard error 1.6 %); one aggregated day is exact. The visitors of the raw part are added: visitor ids
 *   rotate daily, so the two parts share only visitors whose visit crosses the midnight between them.
 * - Breakdown visitors over several days: the sum of each day's exact distinct visitors of the value; it
 *   counts a visitor twice only when their visit crosses midnight (the daily salt), far below the sketch's
 *   error, at no storage cost (a sketch per value and day would outweigh the events).
 *
 * A filter `<dim> is <value>` on a slice dimension (`SLICE_DIMS`, warehouse/aggregate/columns.ts) reads the
 * aggregated days from that filter's slice (`aggregate_slices`) and the raw part with the same filter; every
 * figure is again the raw answer, except unique visitors over several days: the sum of each day's exact
 * visitors under the filter, as the breakdowns count them (the figure a breakdown row showed before it was
 * clicked). Any other filter reads raw events (`slicedBy`).
 */
import { SLICE_DIMS, type SliceDim } from '../aggregate/columns.ts'
import { HLL_ALPHA, HLL_REGISTERS, RANK_BASE } from '../aggregate/hll.ts'
import type { Filter } from './filters.ts'
import { breakdown, customEvents, eventProps, propKeys, sessionBreakdown, type SessionField } from './breakdowns.ts'
import type { Dimension } from './dimensions.ts'
import { PROP_KEY_RE } from './dimensions.ts'
import { countingCte, countVisitors, readsLoadTables, type Scope } from './events.ts'
import { hourRowsCte } from './visitor-hours.ts'
import { inRange, int, sql, trusted, type Query, type Range } from './query.ts'
import { sessionsCte, type SessionOptions } from './sessions.ts'

/** The table the aggregate files are loaded into. */
export const AGGREGATES = 'aggregates'
/** The table slice files are loaded into (warehouse/aggregate/columns.ts `SLICE_COLUMNS`). */
export const AGGREGATE_SLICES = 'aggregate_slices'

/** The slice that answers `filters` from the aggregates: exactly one `is` of one value on a slice dimension; else null. */
export function slicedBy(filters: readonly Filter[] | undefined): { dim: SliceDim; value: string } | null {
  if (filters?.length !== 1) return null
  const [f] = filters
  const values = Array.isArray(f!.value) ? f!.value : [f!.value]
  if (f!.op !== 'is' || values.length !== 1 || !(SLICE_DIMS as readonly string[]).includes(f!.dim)) return null
  return { dim: f!.dim as SliceDim, value: String(values[0]) }
}

/** Whether the aggregates answer `filters` (none, or one slice's). */
export const aggregatesAnswer = (filters: readonly Filter[] | undefined): boolean => !filters?.length || slicedBy(filters) !== null

/** The aggregate rows the overview reads under `filters`: the day rows, or one slice's (see the module's comment). */
function rowsOf(filters: readonly Filter[] | undefined): Query {
  if (!filters?.length) return trusted(AGGREGATES)
  const s = slicedBy(filters)
  if (!s) throw new Error('the aggregates answer no filter but one `is` of one value on a slice dimension: read raw events')
  return sql`(SELECT * EXCLUDE (fdim, fvalue) FROM ${trusted(AGGREGATE_SLICES)} WHERE fdim = ${s.dim} AND fvalue = ${s.value})`
}

/**
 * A range split into whole aggregated days (`agg`, by their `day`) and the rest (`raw`, from events: the
 * part of a day before the first aggregated one, the days after the last).
 */
export interface Split {
  agg: Range | null
  raw: readonly Range[]
}

/**
 * Splits `range` at the local days `days` (each `{ from, to }`, sorted, contiguous or not): the longest run of
 * aggregated days lying inside the range becomes `agg`, the rest of the range `raw`.
 */
export function splitRange(range: Range, days: readonly Range[]): Split {
  const inside = days.filter((d) => d.from >= range.from && d.to <= range.to)
  // The first run of consecutive days (a missing day ends it: what follows is read raw).
  let end = 0
  while (end + 1 < inside.length && inside[end + 1]!.from === inside[end]!.to + 1) end++
  if (!inside.length) return { agg: null, raw: [range] }
  const agg = { from: inside[0]!.from, to: inside[end]!.to }
  const raw = [
    { from: range.from, to: agg.from - 1 },
    { from: agg.to + 1, to: range.to },
  ].filter((r) => r.from <= r.to)
  return { agg, raw }
}

/** `UNION ALL` of one query per raw range (nothing for none). */
const eachRaw = (split: Split, q: (r: Range) => Query): Query =>
  split.raw.reduce<Query>((acc, r) => sql`${acc} UNION ALL ${q(r)}`, trusted(''))

/** Every row (breakdowns list every value before a limit: a value's figures add up across the parts). */
const ALL_ROWS = 1_000_000_000

const days = (r: Range, dim: string) => sql`dim = ${dim} AND ${inRange(r, 'day')}`
const NONE = trusted('FALSE')

/**
 * One row (visitors): the distinct visitors of aggregated days, exact for one day, else the HyperLogLog
 * estimate of their merged sketches: registers merged by max, then linear counting for small sets (at most
 * 2.5 m and an empty register), else alpha m^2 / sum 2^-M[j]; rounded.
 */
export function hllVisitors(r: Range): Query {
  const m = HLL_REGISTERS
  // A month file's merged sketch (dim 'month', day..t its first and last day) stands for its days when the
  // range holds the whole month: 12 sketches for a year instead of 365.
  return sql`(WITH months AS (SELECT day AS first, t AS last, sketch FROM ${trusted(AGGREGATES)} WHERE dim = 'month' AND ${inRange(r, 'day')} AND ${inRange(r, 't')}),
d AS (SELECT NULL AS visitors, sketch FROM months
  UNION ALL SELECT visitors, sketch FROM ${trusted(AGGREGATES)} a WHERE ${days(r, 'all')} AND NOT EXISTS (SELECT 1 FROM months WHERE a.day BETWEEN months.first AND months.last)),
regs AS (
  SELECT i, max(ascii(substr(sketch, i + 1, 1)) - ${int(RANK_BASE)}) AS rank
  FROM d, range(${int(m)}) t(i) WHERE sketch IS NOT NULL GROUP BY i
), est AS (
  SELECT sum(pow(2, -rank)) AS s, count(*) FILTER (WHERE rank = 0) AS zeros FROM regs
)
SELECT CASE WHEN (SELECT count(*) FROM d) <= 1 AND NOT EXISTS (SELECT 1 FROM months) THEN (SELECT coalesce(sum(visitors), 0) FROM d)
  WHEN (SELECT s FROM est) IS NULL THEN 0
  ELSE round(CASE WHEN ${trusted(String(HLL_ALPHA * m * m))} / (SELECT s FROM est) <= ${trusted(String(2.5 * m))} AND (SELECT zeros FROM est) > 0
    THEN ${trusted(String(m))} * ln(${trusted(String(m))} / (SELECT zeros FROM est))
    ELSE ${trusted(String(HLL_ALPHA * m * m))} / (SELECT s FROM est) END) END::BIGINT AS visitors)`
}

/** One row of sums over a range: visitors, visits, pageviews, visit_pageviews, bounces, duration_ms, events. */
function kpiParts(split: Split, o: SessionOptions): Query {
  // (A slice has no row on a day without its value: its sums are 0, not NULL.)
  const visitors = o.filters?.length
    ? sql`coalesce(sum(visitors), 0)`
    : sql`(SELECT visitors FROM ${hllVisitors(split.agg ?? { from: 0, to: -1 })})`
  const sums = ['visits', 'pageviews', 'visit_pageviews', 'bounces', 'duration_ms', 'events'].map((c) => `coalesce(sum(${c}), 0) AS ${c}`)
  const agg = split.agg
    ? sql`SELECT ${visitors} AS visitors, ${trusted(sums.join(', '))} FROM ${rowsOf(o.filters)} WHERE ${days(split.agg, 'all')}`
    : trusted(`SELECT 0 AS visitors, 0 AS visits, 0 AS pageviews, 0 AS visit_pageviews, 0 AS bounces, 0 AS duration_ms, 0 AS events`)
  return sql`SELECT sum(visitors)::BIGINT AS visitors, sum(visits)::BIGINT AS visits, sum(pageviews)::BIGINT AS pageviews,
  sum(visit_pageviews)::BIGINT AS visit_pageviews, sum(bounces)::BIGINT AS bounces, sum(duration_ms)::DOUBLE AS duration_ms, sum(events)::BIGINT AS events
FROM (${agg}${eachRaw(split, (r) => sql`SELECT * FROM ${rawKpiSums(r, o)}`)})`
}

/** The raw part's sums, as `kpis` (kpis.ts) counts them. */
function rawKpiSums(r: Range, o: SessionOptions): Query {
  const hits = readsLoadTables(o)
    ? sql`${hourRowsCte(r)}, hits AS (SELECT count(DISTINCT vid) AS visitors, coalesce(sum(pageviews), 0)::BIGINT AS pageviews FROM hv)`
    : sql`hits AS (SELECT ${countVisitors(o)} AS visitors, count(*) FILTER (WHERE type = 'pageview') AS pageviews FROM ev WHERE hit AND ${inRange(r)})`
  return sql`(WITH RECURSIVE ${sessionsCte(r, o, false)}, ${hits}, vstats AS (
  SELECT count(*) AS visits, coalesce(sum(pageviews), 0) AS visit_pageviews, count(*) FILTER (WHERE bounce) AS bounces, coalesce(sum(duration_ms), 0) AS duration_ms FROM sessions
), cev AS (
  SELECT count(*) AS events FROM (${eventRows(r, o)})
)
SELECT h.visitors, v.visits, h.pageviews, v.visit_pageviews, v.bounces, v.duration_ms, c.events FROM hits h, vstats v, cev c)`
}

/** The custom events of a raw range (for their count). */
function eventRows(r: Range, o: Scope): Query {
  return sql`WITH RECURSIVE ${countingCte(r, o, 'event')} SELECT 1 FROM ev WHERE hit AND type = 'event' AND ${inRange(r)}`
}

/** The KPI columns of `kpis` (kpis.ts) from the parts' sums. */
const kpiColumns = (
  p: string,
) => `${p}.visitors, ${p}.visits, ${p}.pageviews, ${p}.visit_pageviews / nullif(${p}.visits, 0) AS views_per_visit,
  ${p}.bounces / nullif(${p}.visits, 0) AS bounce_rate, ${p}.duration_ms / nullif(${p}.visits, 0) AS visit_duration_ms, ${p}.events`

/**
 * One row as `kpis` gives it (visitors, visits, pageviews, views_per_visit, bounce_rate, visit_duration_ms)
 * plus `events` (custom events), and `prev_*` of each for `previous` when given.
 */
export function kpisSplit(split: Split, o: SessionOptions = {}, previous?: Split): Query {
  const cur = sql`(SELECT ${trusted(kpiColumns('p'))} FROM (${kpiParts(split, o)}) p)`
  if (!previous) return sql`SELECT * FROM ${cur} c`
  return sql`SELECT c.*, prev.visitors AS prev_visitors, prev.visits AS prev_visits, prev.pageviews AS prev_pageviews,
  prev.views_per_visit AS prev_views_per_visit, prev.bounce_rate AS prev_bounce_rate, prev.visit_duration_ms AS prev_visit_duration_ms, prev.events AS prev_events
FROM ${cur} c, (SELECT ${trusted(kpiColumns('p'))} FROM (${kpiParts(previous, o)}) p) prev`
}

/**
 * Rows (value, visitors, pageviews, events) as `breakdown` (breakdowns.ts) gives them, for the event
 * dimensions the aggregates hold (`path` with type pageview: top pages).
 */
export function breakdownSplit(split: Split, dim: Dimension, o: Scope & { type?: 'pageview'; limit?: number } = {}): Query {
  const agg = split.agg
    ? sql`SELECT value, visitors, pageviews, events FROM ${rowsOf(o.filters)} WHERE ${days(split.agg, dim)}`
    : sql`SELECT NULL AS value, 0 AS visitors, 0 AS pageviews, 0 AS events WHERE ${NONE}`
  const raw = eachRaw(split, (r) => sql`SELECT value, visitors, pageviews, events FROM (${breakdown(r, dim, { ...o, limit: ALL_ROWS })})`)
  return sql`SELECT value, sum(visitors)::BIGINT AS visitors, sum(pageviews)::BIGINT AS pageviews, sum(events)::BIGINT AS events
FROM (${agg}${raw}) GROUP BY value
ORDER BY visitors DESC, pageviews DESC, value NULLS LAST LIMIT ${int(o.limit ?? 100)}`
}

/** Rows (value, visitors, visits, bounce_rate, visit_duration_ms) as `sessionBreakdown` gives them. */
export function sessionBreakdownSplit(split: Split, field: SessionField, o: SessionOptions & { limit?: number } = {}): Query {
  const agg = split.agg
    ? sql`SELECT value, visitors, visits, bounces, duration_ms FROM ${rowsOf(o.filters)} WHERE ${days(split.agg, `visit:${field}`)}`
    : sql`SELECT NULL AS value, 0 AS visitors, 0 AS visits, 0 AS bounces, 0.0 AS duration_ms WHERE ${NONE}`
  // The raw part's sums from its averages: visits * rate is a whole number of bounces (rounded off float error).
  const raw = eachRaw(
    split,
    (r) =>
      sql`SELECT value, visitors, visits, round(bounce_rate * visits), visit_duration_ms * visits FROM (${sessionBreakdown(r, field, { ...o, limit: ALL_ROWS })})`,
  )
  return sql`SELECT value, sum(visitors)::BIGINT AS visitors, sum(visits)::BIGINT AS visits, sum(bounces) / sum(visits) AS bounce_rate,
  sum(duration_ms) / sum(visits) AS visit_duration_ms
FROM (${agg}${raw}) GROUP BY value ORDER BY visitors DESC, visits DESC, value NULLS LAST LIMIT ${int(o.limit ?? 100)}`
}

/** Rows (name, events, visitors) as `customEvents` gives them. */
export function customEventsSplit(split: Split, o: Scope & { limit?: number } = {}): Query {
  const agg = split.agg
    ? sql`SELECT value AS name, events, visitors FROM ${rowsOf(o.filters)} WHERE ${days(split.agg, 'event')}`
    : sql`SELECT NULL AS name, 0 AS events, 0 AS visitors WHERE ${NONE}`
  const raw = eachRaw(split, (r) => sql`SELECT name, events, visitors FROM (${customEvents(r, { ...o, limit: ALL_ROWS })})`)
  return sql`SELECT name, sum(events)::BIGINT AS events, sum(visitors)::BIGINT AS visitors FROM (${agg}${raw})
GROUP BY name ORDER BY events DESC, name LIMIT ${int(o.limit ?? 100)}`
}

/** Rows (name, events): custom event names for the event picker (names and order of `customEventsSplit`). */
export function eventNamesSplit(split: Split, o: Scope = {}, limit = 50): Query {
  return sql`SELECT name, events FROM (${customEventsSplit(split, { ...o, limit })})`
}

/**
 * Rows (value, events, visitors) as `eventProps` gives them. A day whose events of that name never carried
 * the key has no `prop` rows for it: all of its events count as NULL (the key absent), from its `event` row.
 */
export function eventPropsSplit(split: Split, name: string, key: string, o: Scope & { limit?: number } = {}): Query {
  const agg = split.agg
    ? sql`SELECT value, events, visitors FROM ${rowsOf(o.filters)} WHERE ${days(split.agg, 'prop')} AND name = ${name} AND key = ${key}
UNION ALL SELECT NULL, e.events, e.visitors FROM ${rowsOf(o.filters)} e WHERE ${days(split.agg, 'event')} AND e.value = ${name}
  AND NOT EXISTS (SELECT 1 FROM ${rowsOf(o.filters)} p WHERE p.dim = 'prop' AND p.day = e.day AND p.name = ${name} AND p.key = ${key})`
    : sql`SELECT NULL AS value, 0 AS events, 0 AS visitors WHERE ${NONE}`
  const raw = eachRaw(split, (r) => sql`SELECT value, events, visitors FROM (${eventProps(r, name, key, { ...o, limit: ALL_ROWS })})`)
  return sql`SELECT value, sum(events)::BIGINT AS events, sum(visitors)::BIGINT AS visitors FROM (${agg}${raw})
GROUP BY value ORDER BY events DESC, value NULLS LAST LIMIT ${int(o.limit ?? 100)}`
}

/** Rows (key, events) as `propKeys` gives them. */
export function propKeysSplit(split: Split, name: string, o: Scope = {}): Query {
  const agg = split.agg
    ? sql`SELECT value AS key, events FROM ${rowsOf(o.filters)} WHERE ${days(split.agg, 'propkey')} AND name = ${name} AND regexp_full_match(value, ${PROP_KEY_RE})`
    : sql`SELECT NULL AS key, 0 AS events WHERE ${NONE}`
  const raw = eachRaw(split, (r) => sql`SELECT key, events FROM (${propKeys(r, name, o)})`)
  return sql`SELECT key, sum(events)::BIGINT AS events FROM (${agg}${raw}) GROUP BY key ORDER BY events DESC, key`
}

/** The columns of a `quarter` row (per 15 UTC minutes) the time series sums. */
export const QUARTER_SUMS = ['pageviews', 'events', 'visits', 'bounces', 'duration_ms', 'visit_pageviews'] as const
export type QuarterSum = (typeof QUARTER_SUMS)[number]

/**
 * `(b, ...columns)` rows of the aggregated days for the time series: each column summed over the quarter
 * rows (per 15 UTC minutes), bucketed by `bucketStart` (a SQL expression over a TIMESTAMP column `t`, µs
 * since the epoch). Visits, bounces, durations and visit pageviews lie in the quarter their session began in.
 */
export function aggregatedSeries(
  r: Range,
  bucketStart: (column: string) => Query,
  columns: readonly QuarterSum[],
  filters?: readonly Filter[],
): Query {
  const sums = columns.map((c) => `sum(${c})::${c === 'duration_ms' ? 'DOUBLE' : 'BIGINT'} AS ${c}`).join(', ')
  return sql`SELECT ${bucketStart('t')} AS b, ${trusted(sums)} FROM ${rowsOf(filters)} WHERE ${days(r, 'quarter')} GROUP BY b`
}

/**
 * `(b, visitors)` rows of the aggregated days: each local day's exact distinct visitors (its `all` row), by
 * `bucketStart` over its midnight `day`. Exact for buckets of one local day only (distinct visitors do not
 * add up across days, nor split into hours: the tier keeps them per day).
 */
export function aggregatedDayVisitors(r: Range, bucketStart: (column: string) => Query, filters?: readonly Filter[]): Query {
  return sql`SELECT ${bucketStart('day')} AS b, sum(visitors)::BIGINT AS visitors FROM ${rowsOf(filters)} WHERE ${days(r, 'all')} GROUP BY b`
}
