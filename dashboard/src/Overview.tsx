/** The overview: KPIs with the change against the previous period, the time series, and every breakdown. */
import { useState } from 'preact/hooks'
import { BUCKETS, bucketFor, type Bucket } from '../../warehouse/sql/overview.ts'
import type { Range } from '../../warehouse/sql/query.ts'
import { BarChart } from './Chart.tsx'
import type { Lake } from './db.ts'
import { Panel, usePanelQuery } from './Panel.tsx'
import type { Dimension, Scope } from './queries/filters.ts'
import { breakdown, entryExit, kpis, propBreakdown, propKeys, series } from './queries/overview.ts'

export interface ViewProps {
  lake: Lake
  version: number
  scope: Scope
  previous: Range | null
  extra: Record<string, string>
  setExtra: (k: string, v: string | null) => void
  pick: (dim: Dimension, value: string) => void
}

const KPIS = [
  ['visitors', 'Unique visitors', ''],
  ['visits', 'Visits', ''],
  ['pageviews', 'Pageviews', ''],
  ['views_per_visit', 'Views per visit', ''],
  ['bounce_rate', 'Bounce rate', '%'],
  ['visit_duration', 'Visit duration', 's'],
  ['events', 'Custom events', ''],
] as const

/** Percent change, rounded to one decimal; null without a previous value. */
export function change(now: number, before: number | null | undefined): number | null {
  if (before === null || before === undefined || before === 0) return null
  return Math.round(((now - before) / before) * 1000) / 10
}

const BREAKDOWNS: [string, string, Dimension][] = [
  ['Top pages', 'top-pages', 'page'],
  ['Sources', 'sources', 'source'],
  ['Referrers', 'referrers', 'referrer'],
  ['Channels', 'channels', 'channel'],
  ['UTM sources', 'utm-sources', 'utm_source'],
  ['UTM mediums', 'utm-mediums', 'utm_medium'],
  ['UTM campaigns', 'utm-campaigns', 'utm_campaign'],
  ['Countries', 'countries', 'country'],
  ['Regions', 'regions', 'region'],
  ['Cities', 'cities', 'city'],
  ['Devices', 'devices', 'device'],
  ['Browsers', 'browsers', 'browser'],
  ['Operating systems', 'os', 'os'],
  ['Custom events', 'custom-events', 'event'],
]

export function Overview({ lake, version, scope, previous, extra, setExtra, pick }: ViewProps) {
  const now = usePanelQuery(lake, version, kpis(scope))
  const before = usePanelQuery(lake, version, previous ? kpis({ ...scope, range: previous }) : null)
  const bucket: Bucket = extra.bucket && extra.bucket in BUCKETS ? (extra.bucket as Bucket) : bucketFor(scope.range)
  const cur = usePanelQuery(lake, version, series(scope, bucket))
  const prev = usePanelQuery(lake, version, previous ? series({ ...scope, range: previous }, bucket) : null)
  const keys = usePanelQuery(lake, version, propKeys(scope))
  const [prop, setProp] = useState<string | null>(null)
  const propKey = prop ?? (keys.kind === 'ready' ? (keys.result.rows[0]?.key as string | undefined) : undefined)
  const k = now.kind === 'ready' ? now.result.rows[0] ?? {} : null
  const b = previous && before.kind === 'ready' ? before.result.rows[0] ?? {} : null
  return (
    <>
      <section class="kpis" data-testid="kpis" data-state={k ? 'ready' : now.kind} aria-busy={now.pending || before.pending}>
        {now.kind === 'error' && <p class="error" role="alert">{now.message}</p>}
        {KPIS.map(([key, label, unit]) => {
          const v = k ? Number(k[key] ?? 0) : null
          const c = v !== null && b ? change(v, b[key] as number | null) : null
          return (
            <div class="kpi" key={key}>
              <div class="kpi-value" data-testid={`kpi-${key}`}>{v === null ? '…' : String(v)}</div>
              <div class="kpi-label">{label}{unit && ` (${unit})`}</div>
              {b && (
                <div class={`kpi-change ${c !== null && c < 0 ? 'down' : 'up'}`} data-testid={`kpi-${key}-change`} data-previous={String(b[key] ?? 0)}>
                  {c === null ? '–' : `${c > 0 ? '+' : ''}${c}%`} <span class="vs">vs {String(b[key] ?? 0)}</span>
                </div>
              )}
            </div>
          )
        })}
      </section>
      <section class="panel wide" data-testid="timeseries" data-state={cur.kind === 'ready' ? 'ready' : cur.kind} aria-busy={cur.pending || prev.pending}>
        <div class="panel-head">
          <h2>Pageviews over time</h2>
          <label>
            by{' '}
            <select value={bucket} onChange={(e) => setExtra('bucket', e.currentTarget.value)} aria-label="Time bucket">
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
      <div class="grid">
        {BREAKDOWNS.slice(0, 1).map(([title, testid, dim]) => (
          <Panel key={testid} title={title} testid={testid} lake={lake} version={version} query={breakdown(scope, dim)} onPick={(v) => pick(dim, v)} />
        ))}
        <Panel title="Entry pages" testid="entry-pages" lake={lake} version={version} query={entryExit(scope, 'entry')} onPick={(v) => pick('page', v)} />
        <Panel title="Exit pages" testid="exit-pages" lake={lake} version={version} query={entryExit(scope, 'exit')} onPick={(v) => pick('page', v)} />
        {BREAKDOWNS.slice(1).map(([title, testid, dim]) => (
          <Panel key={testid} title={title} testid={testid} lake={lake} version={version} query={breakdown(scope, dim)} onPick={(v) => pick(dim, v)} />
        ))}
        <Panel
          title="Event properties"
          testid="props"
          lake={lake}
          version={version}
          query={propKey ? propBreakdown(scope, propKey) : { sql: `SELECT NULL AS value WHERE false`, params: [] }}
          empty="No custom event properties in this range."
        />
        {keys.kind === 'ready' && keys.result.rows.length > 0 && (
          <label class="prop-pick">
            Property{' '}
            <select value={propKey} onChange={(e) => setProp(e.currentTarget.value)}>
              {keys.result.rows.map((r) => <option key={String(r.key)} value={String(r.key)}>{String(r.key)}</option>)}
            </select>
          </label>
        )}
      </div>
    </>
  )
}
