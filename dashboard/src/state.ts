/**
 * The dashboard's state lives in the URL (site, view, range, filters, comparison, bots, panel options),
 * so any view can be bookmarked and shared. Parsing is strict: unknown values fall back to defaults.
 */
import type { Range } from '../../warehouse/sql/query.ts'
import { isDimension } from '../../warehouse/sql/dimensions.ts'
import type { Filter, FilterOp } from '../../warehouse/sql/filters.ts'
import { previousPeriod } from '../../warehouse/sql/kpis.ts'

const OPS: FilterOp[] = ['is', 'is_not', 'contains']

export const RANGE_NAMES = ['realtime', 'today', 'yesterday', '7d', '30d', 'custom'] as const
export type RangeName = (typeof RANGE_NAMES)[number]
export const VIEWS = ['overview', 'realtime', 'streams', 'funnels', 'users', 'filtered', 'sql'] as const
export type ViewName = (typeof VIEWS)[number]

export interface State {
  site: string
  view: ViewName
  range: RangeName
  /** Custom range, epoch ms (from the `from`/`to` parameters, ISO or ms). */
  from?: number
  to?: number
  filters: Filter[]
  compare: boolean
  bots: boolean
  /** Other view options (stream spec, funnel steps, SQL text...), kept as is. */
  extra: Record<string, string>
}

const KNOWN = new Set(['site', 'view', 'range', 'from', 'to', 'f', 'compare', 'bots'])

export function parseState(search: string): State {
  const p = new URLSearchParams(search)
  const range = p.get('range') as RangeName
  const view = p.get('view') as ViewName
  const filters: Filter[] = []
  for (const f of p.getAll('f')) {
    // f=<dim>:<op>:<value>; the value may hold colons, a dimension prop:<key> one
    const m = /^(prop:[^:]+|[^:]+):([a-z_]+):(.*)$/s.exec(f)
    if (m && isDimension(m[1]!) && OPS.includes(m[2] as FilterOp)) filters.push({ dim: m[1]!, op: m[2] as FilterOp, value: m[3]! })
  }
  const extra: Record<string, string> = {}
  for (const [k, v] of p) if (!KNOWN.has(k)) extra[k] = v
  return {
    site: p.get('site') ?? 'demo',
    view: VIEWS.includes(view) ? view : 'overview',
    range: RANGE_NAMES.includes(range) ? range : '7d',
    from: time(p.get('from')),
    to: time(p.get('to')),
    filters,
    compare: p.get('compare') === '1',
    bots: p.get('bots') === '1',
    extra,
  }
}

export function toSearch(s: State): string {
  const p = new URLSearchParams()
  if (s.site !== 'demo') p.set('site', s.site)
  if (s.view !== 'overview') p.set('view', s.view)
  p.set('range', s.range)
  if (s.range === 'custom') {
    if (s.from !== undefined) p.set('from', new Date(s.from).toISOString())
    if (s.to !== undefined) p.set('to', new Date(s.to).toISOString())
  }
  for (const f of s.filters) p.append('f', `${f.dim}:${f.op}:${f.value}`)
  if (s.compare) p.set('compare', '1')
  if (s.bots) p.set('bots', '1')
  for (const [k, v] of Object.entries(s.extra)) p.set(k, v)
  return `?${p}`
}

function time(v: string | null): number | undefined {
  if (!v) return undefined
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v)
  return Number.isFinite(t) ? t : undefined
}

const HOUR = 3_600_000
const DAY = 24 * HOUR
const MINUTE = 60_000

/**
 * The time range of a state at `now` (UTC days). Realtime is the last 30 minutes. Relative ranges are whole
 * minutes: they end at the last millisecond of `now`'s minute and start on a minute, so their previous period
 * is whole minutes too and the first chart can come from per-minute pageview rollups (rollups.ts). Custom
 * ranges are as given.
 */
export function rangeOf(s: State, now = Date.now()): Range {
  const midnight = Math.floor(now / DAY) * DAY
  const end = Math.floor(now / MINUTE) * MINUTE + MINUTE // the next minute's start: ranges end just before
  const last = (ms: number): Range => ({ from: end - ms, to: end - 1 })
  switch (s.range) {
    case 'realtime':
      return last(30 * MINUTE)
    case 'today':
      return { from: midnight, to: end - 1 }
    case 'yesterday':
      return { from: midnight - DAY, to: midnight - 1 }
    case '30d':
      return last(30 * DAY)
    case 'custom':
      return { from: s.from ?? end - 7 * DAY, to: s.to ?? end - 1 }
    default:
      return last(7 * DAY)
  }
}

/** The period just before, of the same length (the comparison): the SQL library's definition. */
export const previousOf: (r: Range) => Range = previousPeriod
