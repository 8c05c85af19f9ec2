/**
 * The overview's panels as data (no UI): the KPI row and the breakdowns, each a query of the SQL library
 * over a scope, the columns it shows and the dimension a row click filters by. The tests and
 * `bench/dashboard.mjs` run the same list on native DuckDB.
 */
import { breakdown, customEvents, sessionBreakdown, type SessionField } from '../../warehouse/sql/breakdowns.ts'
import { breakdownSplit, customEventsSplit, sessionBreakdownSplit } from '../../warehouse/sql/aggregates.ts'
import type { Dimension } from '../../warehouse/sql/dimensions.ts'
import type { Query } from '../../warehouse/sql/query.ts'
import type { Filter } from '../../warehouse/sql/filters.ts'
import type { COLUMNS } from '../../warehouse/schema.ts'
import { opts, type ViewScope } from '../../warehouse/sql/view.ts'

/**
 * The event columns the overview reads (its panels, filters on these dimensions, deduplication and the
 * materialised sessions): the dashboard loads only these for the overview (`Projection` in db.ts).
 */
export const OVERVIEW_COLUMNS = [
  'event_id',
  'site',
  'type',
  'name',
  'event_time',
  'received_time',
  'visitor_id',
  'visitor_id_prev',
  'is_bot',
  'path',
  'referrer',
  'referrer_host',
  'channel',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'props',
  'country',
  'region',
  'city',
  'device_type',
  'browser',
  'os',
] as const satisfies readonly (typeof COLUMNS)[number]['name'][]

/** Whether the overview with these filters can run on `OVERVIEW_COLUMNS` alone. */
export function overviewColumnsSuffice(filters: readonly Filter[]): boolean {
  return filters.every((f) => f.dim.startsWith('prop:') || (OVERVIEW_COLUMNS as readonly string[]).includes(f.dim))
}

export const KPIS = [
  ['visitors', 'Unique visitors'],
  ['visits', 'Visits'],
  ['pageviews', 'Pageviews'],
  ['views_per_visit', 'Views per visit'],
  ['bounce_rate', 'Bounce rate'],
  ['visit_duration_ms', 'Visit duration'],
  ['events', 'Custom events'],
] as const

/** Percent change, one decimal; null without a previous value. */
export function change(now: number, before: number | null | undefined): number | null {
  if (before === null || before === undefined || before === 0) return null
  return Math.round(((now - before) / before) * 1000) / 10
}

/** A breakdown panel: its query over a scope, the columns it shows, the dimension a click filters by. */
export interface BreakdownSpec {
  title: string
  testid: string
  /** The panel's query; `limit` rows (10 on the overview, more in its Details list). */
  query: (s: ViewScope, limit?: number) => Query
  columns: string[]
  pick?: Dimension
}

// Each from the aggregates and the raw rest when the scope is split (warehouse/sql/aggregates.ts).
const ev =
  (dim: Dimension, type?: 'pageview'): BreakdownSpec['query'] =>
  (s, limit = 10) =>
    s.split ? breakdownSplit(s.split, dim, { ...opts(s), type, limit }) : breakdown(s.range, dim, { ...opts(s), type, limit })
const se =
  (field: SessionField): BreakdownSpec['query'] =>
  (s, limit = 10) =>
    s.split ? sessionBreakdownSplit(s.split, field, { ...opts(s), limit }) : sessionBreakdown(s.range, field, { ...opts(s), limit })
const EV_COLS = ['value', 'visitors', 'pageviews']
const SE_COLS = ['value', 'visitors', 'visits', 'bounce_rate', 'visit_duration_ms']

export const BREAKDOWNS: BreakdownSpec[] = [
  { title: 'Top pages', testid: 'top-pages', query: ev('path', 'pageview'), columns: EV_COLS, pick: 'path' },
  { title: 'Entry pages', testid: 'entry-pages', query: se('entry_page'), columns: SE_COLS, pick: 'path' },
  { title: 'Exit pages', testid: 'exit-pages', query: se('exit_page'), columns: SE_COLS, pick: 'path' },
  { title: 'Sources', testid: 'sources', query: se('referrer_host'), columns: SE_COLS, pick: 'referrer_host' },
  { title: 'Referrers', testid: 'referrers', query: ev('referrer'), columns: EV_COLS, pick: 'referrer' },
  { title: 'Channels', testid: 'channels', query: se('channel'), columns: SE_COLS, pick: 'channel' },
  { title: 'UTM sources', testid: 'utm-sources', query: se('utm_source'), columns: SE_COLS, pick: 'utm_source' },
  { title: 'UTM mediums', testid: 'utm-mediums', query: se('utm_medium'), columns: SE_COLS, pick: 'utm_medium' },
  { title: 'UTM campaigns', testid: 'utm-campaigns', query: se('utm_campaign'), columns: SE_COLS, pick: 'utm_campaign' },
  { title: 'Countries', testid: 'countries', query: ev('country'), columns: EV_COLS, pick: 'country' },
  { title: 'Regions', testid: 'regions', query: ev('region'), columns: EV_COLS, pick: 'region' },
  { title: 'Cities', testid: 'cities', query: ev('city'), columns: EV_COLS, pick: 'city' },
  { title: 'Devices', testid: 'devices', query: ev('device_type'), columns: EV_COLS, pick: 'device_type' },
  { title: 'Browsers', testid: 'browsers', query: ev('browser'), columns: EV_COLS, pick: 'browser' },
  { title: 'Operating systems', testid: 'os', query: ev('os'), columns: EV_COLS, pick: 'os' },
  {
    title: 'Custom events',
    testid: 'custom-events',
    query: (s, limit = 10) => (s.split ? customEventsSplit(s.split, { ...opts(s), limit }) : customEvents(s.range, { ...opts(s), limit })),
    columns: ['name', 'events', 'visitors'],
    pick: 'name',
  },
]
