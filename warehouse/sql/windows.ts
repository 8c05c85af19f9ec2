/**
 * Time windows over the events of a range, grouped by any allowed dimensions:
 * - tumbling(size): fixed, non-overlapping windows aligned to the epoch;
 * - hopping(size, slide): windows of `size` starting every `slide` (5 minutes sliding every 10 seconds),
 *   an event counts in every window that contains it;
 * - session(gap): per group (the visitor when no dimension is given), a window closes after `gap` without
 *   an event.
 * Window bounds use integer epoch milliseconds, so both engines compute them identically.
 * Rows: window_start, window_end (TIMESTAMP; end exclusive for tumbling/hopping, the last event for
 * session windows), one column per dimension, pageviews, events (all rows), visitors.
 */
import { dimension, type Dimension } from './dimensions.ts'
import { eventsCte, type Scope } from './events.ts'
import { personsCte } from './persons.ts'
import { inRange, int, join, sql, trusted, type Query, type Range } from './query.ts'

export type WindowSpec =
  | { kind: 'tumbling'; sizeMs: number }
  | { kind: 'hopping'; sizeMs: number; slideMs: number }
  | { kind: 'session'; gapMs: number }

export const tumbling = (sizeMs: number): WindowSpec => ({ kind: 'tumbling', sizeMs })
export const hopping = (sizeMs: number, slideMs: number): WindowSpec => ({ kind: 'hopping', sizeMs, slideMs })
export const sessionWindow = (gapMs: number): WindowSpec => ({ kind: 'session', gapMs })

export interface WindowOptions extends Scope {
  by?: readonly Dimension[]
  /**
   * 'user': also count `people` (persons.ts: visitor ids joined by the user id they were seen with, within
   * the range), and cut session windows per person instead of per visitor. Default 'visitor'.
   */
  per?: 'visitor' | 'user'
}

/** Column alias of a dimension: its allow-listed name, quoted (`prop:size` has a colon). */
export const alias = (d: Dimension) => trusted(`"${d}"`)

/**
 * Counts per window (and per dimension values).
 * @example windows(range, hopping(5 * MINUTE, 10 * SECOND), { by: ['country'] })
 */
export function windows(r: Range, spec: WindowSpec, o: WindowOptions = {}): Query {
  const by = o.by ?? []
  const dims = by.map((d) => sql`${dimension(d)} AS ${alias(d)}`)
  const dimCols = join(by.map(alias), ', ')
  const sel = by.length ? sql`${dimCols}, ` : trusted('')
  const perUser = o.per === 'user'
  const counts = trusted(
    `count(*) FILTER (WHERE type = 'pageview') AS pageviews, count(*) AS events, count(DISTINCT vk) AS visitors${perUser ? ', count(DISTINCT person) AS people' : ''}`,
  )
  const base = sql`WITH RECURSIVE ${eventsCte(r, o)}${perUser ? sql`, ${personsCte()}` : trusted('')}, w AS (
  SELECT *, epoch_ms(event_time) AS t${by.length ? sql`, ${join(dims, ', ')}` : trusted('')} FROM ${trusted(perUser ? 'pev' : 'ev')} WHERE hit AND ${inRange(r)}
)`
  const order = by.length ? sql`ORDER BY window_start, ${dimCols}` : trusted('ORDER BY window_start')
  const group = by.length ? sql`, ${dimCols}` : trusted('')

  if (spec.kind === 'tumbling') {
    const size = positive(spec.sizeMs)
    return sql`${base}, tiles AS (SELECT *, t // ${size} AS k FROM w)
SELECT epoch_ms(k * ${size}) AS window_start, epoch_ms(k * ${size} + ${size}) AS window_end, ${sel}${counts}
FROM tiles GROUP BY k${group} ${order}`
  }
  if (spec.kind === 'hopping') {
    const size = positive(spec.sizeMs),
      slide = positive(spec.slideMs)
    // Window k covers [k*slide, k*slide + size): an event at t is in k = floor((t-size)/slide)+1 .. floor(t/slide).
    return sql`${base}, hops AS (
  SELECT *, unnest(range((t - ${size}) // ${slide} + 1, t // ${slide} + 1)) AS k FROM w
)
SELECT epoch_ms(k * ${slide}) AS window_start, epoch_ms(k * ${slide} + ${size}) AS window_end, ${sel}${counts}
FROM hops GROUP BY k${group} ${order}`
  }
  const gap = positive(spec.gapMs)
  const who = perUser ? 'person' : 'vk'
  const key = by.length ? dimCols : trusted(who)
  return sql`${base}, marked AS (
  SELECT *, CASE WHEN t - lag(t) OVER (PARTITION BY ${key} ORDER BY t, event_id) <= ${gap} THEN 0 ELSE 1 END AS is_new FROM w
), grouped AS (
  SELECT *, sum(is_new) OVER (PARTITION BY ${key} ORDER BY t, event_id ROWS UNBOUNDED PRECEDING) AS n FROM marked
)
SELECT min(event_time) AS window_start, max(event_time) AS window_end, ${sel}${counts}
FROM grouped GROUP BY ${key}, n ${order}${by.length ? trusted('') : trusted(`, min(${who})`)}`
}

function positive(ms: number): Query {
  if (!(ms > 0)) throw new Error(`window sizes must be positive: ${ms}`)
  return int(ms)
}
