/** The overview: KPIs with the change against the previous period, the time series, and every breakdown. */
import { useState } from 'preact/hooks'
import { breakdown, customEvents, eventProps, propKeys, sessionBreakdown, type SessionField } from '../../warehouse/sql/breakdowns.ts'
import type { Dimension } from '../../warehouse/sql/dimensions.ts'
import { kpis, previousPeriod } from '../../warehouse/sql/kpis.ts'
import { BUCKETS, bucketFor, type Bucket } from '../../warehouse/sql/overview.ts'
import type { Query, Range } from '../../warehouse/sql/query.ts'
import { BarChart } from './Chart.tsx'
import type { Lake } from './db.ts'
import { formatCell } from './format.ts'
import { Panel, usePanelQuery } from './Panel.tsx'
import { opts, type Scope } from './queries/filters.ts'
import { eventCount, series } from './queries/overview.ts'

export interface ViewProps {
  lake: Lake
  version: number
  scope: Scope
  previous: Range | null
  extra: Record<string, string>
  setExtra: (k: string, v: string | null) => void
  pick: (dim: Dimension, value: string) => void
}

export const KPIS = [
  ['visitors', 'Unique visitors'],
  ['visits', 'Visits'],
  ['pageviews', 'Pageviews'],
  ['views_per_visit', 'Views per visit'],
  ['bounce_rate', 'Bounce rate (%)'],
  ['visit_duration_ms', 'Visit duration (s)'],
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
  query: (s: Scope) => Query
  columns: string[]
  pick?: Dimension
}

const ev = (dim: Dimension, type?: 'pageview'): ((s: Scope) => Query) => (s) => breakdown(s.range, dim, { ...opts(s), type, limit: 10 })
const se = (field: SessionField): ((s: Scope) => Query) => (s) => sessionBreakdown(s.range, field, { ...opts(s), limit: 10 })
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
  { title: 'Custom events', testid: 'custom-events', query: (s) => customEvents(s.range, { ...opts(s), limit: 10 }), columns: ['name', 'events', 'visitors'], pick: 'name' },
]

export function Overview({ lake, version, scope, previous, extra, setExtra, pick }: ViewProps) {
  const k = usePanelQuery(lake, version, kpis(scope.range, opts(scope)))
  const e = usePanelQuery(lake, version, eventCount(scope))
  const ep = usePanelQuery(lake, version, previous ? eventCount({ ...scope, range: previous }) : null)
  const bucket: Bucket = extra.bucket && extra.bucket in BUCKETS ? (extra.bucket as Bucket) : bucketFor(scope.range)
  const cur = usePanelQuery(lake, version, series(scope, bucket))
  const prev = usePanelQuery(lake, version, previous ? series({ ...scope, range: previousPeriod(scope.range) }, bucket) : null)
  const names = usePanelQuery(lake, version, customEvents(scope.range, { ...opts(scope), limit: 50 }))
  const eventName = extra.event ?? (names.kind === 'ready' ? (names.result.rows[0]?.name as string | undefined) : undefined)
  const keys = usePanelQuery(lake, version, eventName ? propKeys(scope.range, eventName, opts(scope)) : null)
  const [prop, setProp] = useState<string | null>(null)
  const key = prop ?? extra.prop ?? (keys.kind === 'ready' ? (keys.result.rows[0]?.key as string | undefined) : undefined)
  const row: Record<string, unknown> | null = k.kind === 'ready' && e.kind === 'ready' ? { ...k.result.rows[0], events: e.result.rows[0]?.events } : null
  const before = row && previous && ep.kind === 'ready' ? prevOf(row, ep.result.rows[0]?.events) : null
  return (
    <>
      <section class="kpis" data-testid="kpis" data-state={row ? 'ready' : k.kind} aria-busy={k.pending || e.pending || ep.pending}>
        {k.kind === 'error' && <p class="error" role="alert">{k.message}</p>}
        {KPIS.map(([key, label]) => {
          const v = row ? Number(row[key] ?? 0) : null
          const c = v !== null && before ? change(v, before[key] as number | null) : null
          return (
            <div class="kpi" key={key}>
              <div class="kpi-value" data-testid={`kpi-${key}`}>{v === null ? '…' : formatCell(key, v)}</div>
              <div class="kpi-label">{label}</div>
              {before && (
                <div class={`kpi-change ${c !== null && c < 0 ? 'down' : 'up'}`} data-testid={`kpi-${key}-change`} data-previous={formatCell(key, Number(before[key] ?? 0))}>
                  {c === null ? '–' : `${c > 0 ? '+' : ''}${c}%`} <span class="vs">vs {formatCell(key, Number(before[key] ?? 0))}</span>
                </div>
              )}
            </div>
          )
        })}
      </section>
      <section class="panel wide" data-testid="timeseries" data-state={cur.kind} aria-busy={cur.pending || prev.pending}>
        <div class="panel-head">
          <h2>Pageviews over time</h2>
          <label>
            by{' '}
            <select value={bucket} onChange={(ev) => setExtra('bucket', ev.currentTarget.value)} aria-label="Time bucket">
              {Object.keys(BUCKETS).map((x) => <option key={x} value={x}>{x}</option>)}
            </select>
          </label>
        </div>
        {cur.kind === 'ready' && (
          <BarChart
            testid="chart"
            label={`Pageviews by ${bucket}`}
            points={cur.result.rows.map((r) => ({ t: String(r.t), value: Number(r.pageviews) }))}
            previous={prev.kind === 'ready' && previous ? prev.result.rows.map((r) => ({ t: String(r.t), value: Number(r.pageviews) })) : undefined}
          />
        )}
        {cur.kind === 'error' && <p class="error" role="alert">{cur.message}</p>}
      </section>
      {/* Panels query after the KPIs (one DuckDB connection, and child effects run first): headline numbers come first. */}
      {row && <div class="grid">
        {BREAKDOWNS.map((b) => (
          <Panel key={b.testid} title={b.title} testid={b.testid} lake={lake} version={version} query={b.query(scope)} columns={b.columns}
            onPick={b.pick ? (v) => pick(b.pick!, v) : undefined} />
        ))}
        <Panel title={`Properties of "${eventName ?? '…'}"`} testid="props" lake={lake} version={version}
          query={eventName && key ? eventProps(scope.range, eventName, key, { ...opts(scope), limit: 10 }) : null}
          empty="No custom event properties in this range."
          onPick={key ? (v) => pick(`prop:${key}`, v) : undefined} />
        {names.kind === 'ready' && names.result.rows.length > 0 && (
          <div class="prop-pick">
            <label>Event <select value={eventName} onChange={(ev) => (setProp(null), setExtra('event', ev.currentTarget.value))}>
              {names.result.rows.map((r) => <option key={String(r.name)} value={String(r.name)}>{String(r.name)}</option>)}
            </select></label>{' '}
            {keys.kind === 'ready' && (
              <label>Property <select value={key} onChange={(ev) => setProp(ev.currentTarget.value)}>
                {keys.result.rows.map((r) => <option key={String(r.key)} value={String(r.key)}>{String(r.key)}</option>)}
              </select></label>
            )}
          </div>
        )}
      </div>}
    </>
  )
}

/** The previous period's KPIs (the `prev_*` columns of the library's kpis) and custom events. */
function prevOf(row: Record<string, unknown>, events: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { events }
  for (const [key] of KPIS) if (key !== 'events') out[key] = row[`prev_${key}`]
  return out
}
