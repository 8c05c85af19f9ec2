/** The overview: KPIs with the change against the previous period, the time series, and every breakdown. */
import { useState } from 'preact/hooks'
import { eventProps, propKeys } from '../../warehouse/sql/breakdowns.ts'
import { eventPropsSplit, kpisSplit, propKeysSplit } from '../../warehouse/sql/aggregates.ts'
import { isDimension, type Dimension } from '../../warehouse/sql/dimensions.ts'
import { kpis, previousPeriod } from '../../warehouse/sql/kpis.ts'
import { BUCKETS, bucketFor, type Bucket } from '../../warehouse/sql/buckets.ts'
import type { Range } from '../../warehouse/sql/query.ts'
import { TimeChart, type Point } from './Chart.tsx'
import type { Lake } from './db.ts'
import { formatCell } from './format.ts'
import { Panel, usePanelQuery } from './Panel.tsx'
import { opts, type ViewScope } from '../../warehouse/sql/view.ts'
import { change, KPIS } from './panels.ts'
import { PANEL_GROUPS, UNGROUPED } from './panel-groups.ts'
import { PanelGroup } from './PanelGroup.tsx'
import { eventCount, eventNames, isSeriesMetric, series, visitorsExact, type SeriesMetric } from '../../warehouse/sql/overview.ts'
import type { EarlyChart } from './RollupOverview.tsx'

export interface ViewProps {
  lake: Lake
  version: number
  scope: ViewScope
  previous: Range | null
  extra: Record<string, string>
  setExtra: (k: string, v: string | null) => void
  pick: (dim: Dimension, value: string) => void
}

export function Overview({ lake, version, scope, previous, extra, setExtra, pick, early }: ViewProps & { early?: EarlyChart | null }) {
  // Split (aggregates + raw rest): one query gives the KPIs, the custom events and the comparison's.
  const split = scope.split
  const k = usePanelQuery(
    lake,
    version,
    split ? kpisSplit(split, opts(scope), scope.previousSplit ?? undefined) : kpis(scope.range, opts(scope)),
  )
  const e = usePanelQuery(lake, version, split ? null : eventCount(scope))
  const ep = usePanelQuery(lake, version, previous && !split ? eventCount({ ...scope, range: previous }) : null)
  const bucket = seriesBucket(extra, scope.range, !!split?.agg)
  // The chart's metric: the KPI clicked (`metric` in the URL), pageviews by default (the first chart's, from rollups).
  const metric = seriesMetric(extra)
  const cur = usePanelQuery(lake, version, series(scope, bucket, metric))
  const prevScope = previous ? { ...scope, range: previousPeriod(scope.range), split: scope.previousSplit ?? undefined } : null
  const prev = usePanelQuery(lake, version, prevScope ? series(prevScope, bucket, metric) : null)
  const pointsOf = (rows: Record<string, unknown>[]): Point[] =>
    rows.map((r) => ({ t: String(r.t), value: r[metric] === null || r[metric] === undefined ? null : Number(r[metric]) }))
  const chartLabel = `${METRIC_LABEL[metric]} by ${bucket}`
  const names = usePanelQuery(lake, version, eventNames(scope))
  const eventName = extra.event ?? (names.kind === 'ready' ? (names.result.rows[0]?.name as string | undefined) : undefined)
  const keys = usePanelQuery(
    lake,
    version,
    eventName ? (split ? propKeysSplit(split, eventName, opts(scope)) : propKeys(scope.range, eventName, opts(scope))) : null,
  )
  const [prop, setProp] = useState<string | null>(null)
  const chosen = prop ?? extra.prop ?? (keys.kind === 'ready' ? (keys.result.rows[0]?.key as string | undefined) : undefined)
  // A key from the URL may be anything: one no dimension can name would throw in the query builder.
  const key = chosen !== undefined && isDimension(`prop:${chosen}`) ? chosen : undefined
  const row: Record<string, unknown> | null =
    k.kind === 'ready' && (split || e.kind === 'ready')
      ? { ...k.result.rows[0], events: split ? k.result.rows[0]?.events : e.kind === 'ready' ? e.result.rows[0]?.events : null }
      : null
  const before =
    row && previous && (split || ep.kind === 'ready')
      ? prevOf(row, split ? row.prev_events : ep.kind === 'ready' ? ep.result.rows[0]?.events : null)
      : null
  // The whole each panel row's share is of: the range's unique visitors.
  const visitors = row ? Number(row.visitors ?? 0) : undefined
  // Unique visitors over several aggregated days are a sketch's estimate (warehouse/aggregate/hll.ts), or
  // under a filter the sum of the days' (warehouse/sql/aggregates.ts).
  const estimated = !!split?.agg && split.agg.to - split.agg.from >= 86_400_000 * 1.5
  return (
    <>
      <section class="kpis" data-testid="kpis" data-state={row ? 'ready' : k.kind} aria-busy={k.pending || e.pending || ep.pending}>
        {k.kind === 'error' && (
          <p class="error" role="alert">
            {k.message}
          </p>
        )}
        {KPIS.map(([key, label]) => {
          const v = row ? Number(row[key] ?? 0) : null
          const c = v !== null && before ? change(v, before[key] as number | null) : null
          return (
            <button
              type="button"
              class="kpi"
              key={key}
              data-metric={key}
              aria-pressed={metric === key}
              title={`Show ${METRIC_LABEL[key].toLowerCase()} on the chart`}
              onClick={() => setExtra('metric', key === 'pageviews' ? null : key)}
            >
              <div
                class="kpi-value"
                data-testid={`kpi-${key}`}
                data-estimate={key === 'visitors' && estimated ? '1' : undefined}
                title={
                  key === 'visitors' && estimated
                    ? scope.filters.length
                      ? "The sum of each day's unique visitors under the filter: a visit across midnight counts on both days"
                      : 'Estimated from daily sketches (HyperLogLog): within ±3.2 % in 95 % of cases'
                    : undefined
                }
              >
                {v === null ? '…' : `${key === 'visitors' && estimated ? '≈ ' : ''}${formatCell(key, v)}`}
              </div>
              <div class="kpi-label">{label}</div>
              {before && (
                <div
                  class={`kpi-change ${c !== null && c < 0 ? 'down' : 'up'}`}
                  data-testid={`kpi-${key}-change`}
                  data-previous={formatCell(key, Number(before[key] ?? 0))}
                >
                  {c === null ? '–' : `${c > 0 ? '+' : ''}${c}%`} <span class="vs">vs {formatCell(key, Number(before[key] ?? 0))}</span>
                </div>
              )}
            </button>
          )
        })}
      </section>
      <section
        class="panel wide"
        data-testid="timeseries"
        data-state={cur.kind}
        aria-busy={cur.pending || prev.pending}
        data-source={cur.kind === 'ready' ? 'events' : early ? 'rollups' : undefined}
      >
        <SeriesHead bucket={bucket} setExtra={setExtra} metric={metric} />
        {metric === 'visitors' && !visitorsExact(scope, bucket) && (
          <p class="hint" data-testid="visitors-grain">
            Unique visitors of aggregated days are kept per day.{' '}
            <button type="button" class="pick" onClick={() => setExtra('bucket', 'day')}>
              Show them by day
            </button>
          </p>
        )}
        {cur.kind === 'ready' && (
          <TimeChart
            testid="chart"
            metric={metric}
            label={chartLabel}
            seriesLabel={METRIC_LABEL[metric]}
            points={pointsOf(cur.result.rows)}
            previous={prev.kind === 'ready' && previous ? pointsOf(prev.result.rows) : undefined}
          />
        )}
        {/* Until the events' series is ready, the same chart from the pageview rollups (RollupOverview.tsx). */}
        {cur.kind === 'loading' && early && metric === 'pageviews' && (
          <TimeChart testid="chart" label={chartLabel} seriesLabel={METRIC_LABEL[metric]} {...early.chart(bucket)} />
        )}
        {cur.kind === 'error' && (
          <p class="error" role="alert">
            {cur.message}
          </p>
        )}
      </section>
      {/* Panels query after the KPIs (one DuckDB connection, and child effects run first): headline numbers come first. */}
      {row && (
        <div class="grid">
          {PANEL_GROUPS.map((g) => (
            <PanelGroup
              key={g.key}
              group={g}
              lake={lake}
              version={version}
              scope={scope}
              extra={extra}
              setExtra={setExtra}
              pick={pick}
              total={visitors}
            />
          ))}
          {UNGROUPED.map((b) => (
            <Panel
              key={b.testid}
              title={b.title}
              testid={b.testid}
              lake={lake}
              version={version}
              query={b.query(scope)}
              columns={b.columns}
              share="visitors"
              total={visitors}
              onPick={b.pick ? (v) => pick(b.pick!, v) : undefined}
            />
          ))}
          <Panel
            title={eventName ? `Properties of "${eventName}"` : 'Properties of custom events'}
            testid="props"
            lake={lake}
            version={version}
            query={
              eventName && key
                ? split
                  ? eventPropsSplit(split, eventName, key, { ...opts(scope), limit: 10 })
                  : eventProps(scope.range, eventName, key, { ...opts(scope), limit: 10 })
                : null
            }
            share="visitors"
            total={visitors}
            empty="No custom event properties in this range."
            busy={names.kind !== 'ready' || names.pending || (!!eventName && (keys.kind !== 'ready' || keys.pending))}
            idle={
              names.kind === 'ready' && !names.result.rows.length
                ? 'No custom events in this range.'
                : keys.kind === 'ready' && !keys.result.rows.length
                  ? `No properties on "${eventName}" in this range.`
                  : undefined
            }
            onPick={key ? (v) => pick(`prop:${key}`, v) : undefined}
          />
          {names.kind === 'ready' && names.result.rows.length > 0 && (
            <div class="prop-pick">
              <label>
                Event{' '}
                <select value={eventName} onChange={(ev) => (setProp(null), setExtra('event', ev.currentTarget.value))}>
                  {names.result.rows.map((r) => (
                    <option key={String(r.name)} value={String(r.name)}>
                      {String(r.name)}
                    </option>
                  ))}
                </select>
              </label>{' '}
              {keys.kind === 'ready' && (
                <label>
                  Property{' '}
                  <select value={key} onChange={(ev) => setProp(ev.currentTarget.value)}>
                    {keys.result.rows.map((r) => (
                      <option key={String(r.key)} value={String(r.key)}>
                        {String(r.key)}
                      </option>
                    ))}
                  </select>
                </label>
              )}
            </div>
          )}
        </div>
      )}
    </>
  )
}

/**
 * The time series' bucket: the one picked (`bucket` in the URL) if it is one, else the range's default.
 * Aggregated days hold quarter hours: minutes there become hours.
 */
export function seriesBucket(extra: Record<string, string>, range: Range, aggregated = false): Bucket {
  const b = extra.bucket && extra.bucket in BUCKETS ? (extra.bucket as Bucket) : bucketFor(range)
  return aggregated && b === 'minute' ? 'hour' : b
}

/** The chart's metric: `metric` in the URL if it is one, else pageviews. */
export function seriesMetric(extra: Record<string, string>): SeriesMetric {
  return isSeriesMetric(extra.metric) ? extra.metric : 'pageviews'
}

/** What the chart calls each metric. */
export const METRIC_LABEL: Record<SeriesMetric, string> = {
  visitors: 'Unique visitors',
  visits: 'Visits',
  pageviews: 'Pageviews',
  views_per_visit: 'Views per visit',
  bounce_rate: 'Bounce rate',
  visit_duration_ms: 'Visit duration',
  events: 'Custom events',
}

/** The time series' title and its bucket picker (also drawn over the rollup chart, RollupOverview.tsx). */
export function SeriesHead({
  bucket,
  setExtra,
  metric = 'pageviews',
}: {
  bucket: Bucket
  setExtra: ViewProps['setExtra']
  metric?: SeriesMetric
}) {
  return (
    <div class="panel-head">
      <h2 data-testid="chart-title">{METRIC_LABEL[metric]} over time</h2>
      <label>
        by{' '}
        <select value={bucket} onChange={(ev) => setExtra('bucket', ev.currentTarget.value)} aria-label="Time bucket">
          {Object.keys(BUCKETS).map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}

/** The previous period's KPIs (the `prev_*` columns of the library's kpis) and custom events. */
function prevOf(row: Record<string, unknown>, events: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { events }
  for (const [key] of KPIS) if (key !== 'events') out[key] = row[`prev_${key}`]
  return out
}
