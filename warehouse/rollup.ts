/**
 * Pageview rollups: beside each compacted day file of events, the compactor writes a tiny Parquet file of
 * its pageviews per UTC minute, bots and non-bots apart:
 *
 *   events/site=<s>/date=YYYY-MM-DD/<HH>-<HH>-<id>.parquet    a day file (compact.ts)
 *   rollups/site=<s>/date=YYYY-MM-DD/<HH>-<HH>-<id>.parquet   its rollup: (minute, is_bot, pageviews)
 *
 * A merged file holds each event once (compaction dedupes on event id, and every copy of an event sits in the
 * same partition), so sums of rollups over merged files are exact: a minute, hour, day or week bucket is the
 * sum of its minutes. The dashboard draws its time series from them before the raw events are loaded
 * (dashboard/src/rollups.ts). A rollup is only valid beside its own, visible merged file: readers look it up
 * by that file's key (`rollupKey`) and never use a rollup alone.
 */
import type { Columns } from './parquet.ts'
import { writeColumns } from './parquet.ts'
import { EVENTS_PREFIX, ROLLUPS_PREFIX } from './lake.ts'
import { MINUTE } from './time.ts'

/** The columns of a rollup file: one row per (UTC minute, bot flag) with at least one pageview. */
export const ROLLUP_COLUMNS = [
  { name: 'minute', type: 'TIMESTAMP', required: true }, // start of the UTC minute
  { name: 'is_bot', type: 'BOOLEAN', required: true },
  { name: 'pageviews', type: 'INT32', required: true },
] as const satisfies Columns

/**
 * The rollup's key of an events file: the same path under `rollups/` (one rollup per merged file).
 * @example rollupKey('events/site=demo/date=2026-01-10/00-23-ab12.parquet') // 'rollups/site=demo/date=2026-01-10/00-23-ab12.parquet'
 */
export function rollupKey(eventsKey: string): string {
  if (!eventsKey.startsWith(EVENTS_PREFIX)) throw new Error(`not an events key: ${eventsKey}`)
  return `${ROLLUPS_PREFIX}${eventsKey.slice(EVENTS_PREFIX.length)}`
}

/** The events file a rollup belongs to (the inverse of `rollupKey`). */
export function eventsKeyOf(key: string): string {
  if (!key.startsWith(ROLLUPS_PREFIX)) throw new Error(`not a rollup key: ${key}`)
  return `${EVENTS_PREFIX}${key.slice(ROLLUPS_PREFIX.length)}`
}

/** Rollup rows, column-wise in `ROLLUP_COLUMNS` order, ordered by minute then bot flag. */
export function rollupColumns(
  type: readonly unknown[],
  time: readonly number[],
  isBot: readonly unknown[],
): [number[], boolean[], number[]] {
  const counts = new Map<number, number>() // minute index * 2 + bot
  for (let i = 0; i < type.length; i++) {
    if (type[i] !== 'pageview') continue
    const k = Math.floor(time[i]! / MINUTE) * 2 + (isBot[i] === true ? 1 : 0)
    counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  const keys = [...counts.keys()].sort((a, b) => a - b)
  return [keys.map((k) => Math.floor(k / 2) * MINUTE), keys.map((k) => (k & 1) === 1), keys.map((k) => counts.get(k)!)]
}

/** A rollup file (Parquet, `ROLLUP_COLUMNS`) of events given column-wise: their type, event time (epoch ms) and bot flag. */
export function writeRollup(type: readonly unknown[], time: readonly number[], isBot: readonly unknown[]): ArrayBuffer {
  return writeColumns(ROLLUP_COLUMNS, rollupColumns(type, time, isBot))
}
