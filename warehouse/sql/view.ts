/**
 * What every panel is computed over: a time range, filters (an allowed dimension is / is not / contains
 * a value, warehouse/sql/filters.ts: values are parameters, never pasted into SQL) and the bot switch.
 */
import type { Filter } from './filters.ts'
import type { Range } from './query.ts'
import type { SessionOptions } from './sessions.ts'
import type { Split } from './aggregates.ts'

export interface ViewScope {
  range: Range
  filters: Filter[]
  /** Include events flagged as bots (left out by default). */
  bots: boolean
  /** Read the sessions materialised once per load (`Lake.commit`) instead of sessionizing per query. */
  materialised?: boolean
  /**
   * The range answered from the aggregates of its whole days and raw events for the rest
   * (warehouse/sql/aggregates.ts): the overview without filters or bots. `previousSplit`: the comparison's.
   */
  split?: Split
  previousSplit?: Split | null
  /** The site's IANA time zone: the time series' buckets follow it (default UTC). */
  tz?: string
}

/** The SQL library's options of a scope. */
export function opts(s: ViewScope): SessionOptions {
  return { bots: s.bots, filters: s.filters, materialised: s.materialised }
}
