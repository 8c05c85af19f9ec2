/**
 * The dashboard's state lives in the URL (site, view, range, filters, comparison, bots, panel options),
 * so any view can be bookmarked and shared. Parsing is strict: unknown values fall back to defaults.
 */
import type { Range } from '../../warehouse/sql/query.ts'
import { isDimension } from '../../warehouse/sql/dimensions.ts'
import type { Filter, FilterOp } from '../../warehouse/sql/filters.ts'
import { previousPeriod } from '../../warehouse/sql/kpis.ts'
import { addDays, localDate, localMidnight } from '../../warehouse/aggregate/zone.ts'
import { DAY, MINUTE } from '../../warehouse/time.ts'

const OPS: FilterOp[] = ['is', 'is_not', 'contains']

export const RANGE_NAMES = ['realtime', 'today', 'yesterday', '7d', '30d', 'month', 'lastmonth', '12mo', 'ytd', 'all', 'custom'] as const
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

/**
 * The time range of a state at `now`, in the site's time zone `tz`. Calendar ranges start at a local
 * midnight (today, yesterday, the last 7 and 30 days with today, this and last month, the last 12 months
 * with this one, the year to date, all time from the site's `first` local date) and end with `now`'s
 * minute: whole local days let the aggregates answer them (warehouse/sql/aggregates.ts), whole minutes the
 * first chart's per-minute rollups. Realtime is the last 30 minutes; custom ranges are as given.
 */
export function rangeOf(s: State, now = Date.now(), tz = 'UTC', first?: string): Range {
  const end = Math.floor(now / MINUTE) * MINUTE + MINUTE // the next minute's start: ranges end just before
  const today = localDate(now, tz)
  const since = (date: string): Range => ({ from: localMidnight(date, tz), to: end - 1 })
  const month = today.slice(0, 8) + '01'
  switch (s.range) {
    case 'realtime':
      return { from: end - 30 * MINUTE, to: end - 1 }
    case 'today':
      return since(today)
    case 'yesterday':
      return { from: localMidnight(addDays(today, -1), tz), to: localMidnight(today, tz) - 1 }
    case '30d':
      return since(addDays(today, -29))
    case 'month':
      return since(month)
    case 'lastmonth': {
      const last = addDays(month, -1).slice(0, 8) + '01'
      return { from: localMidnight(last, tz), to: localMidnight(month, tz) - 1 }
    }
    case '12mo':
      return since(monthsBefore(month, 11))
    case 'ytd':
      return since(today.slice(0, 5) + '01-01')
    case 'all':
      return since(first && first < today ? first : today)
    case 'custom':
      return { from: s.from ?? end - 7 * DAY, to: s.to ?? end - 1 }
    default:
      return since(addDays(today, -6))
  }
}

/** The first day of the month `n` months before `month` (YYYY-MM-01). */
function monthsBefore(month: string, n: number): string {
  const d = new Date(`${month}T00:00:00Z`)
  d.setUTCMonth(d.getUTCMonth() - n)
  return d.toISOString().slice(0, 10)
}

/** The period just before, of the same length (the comparison): the SQL library's definition. */
export const previousOf: (r: Range) => Range = previousPeriod
