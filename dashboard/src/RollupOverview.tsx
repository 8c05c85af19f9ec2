/**
 * The overview's first picture from pageview rollups and the open day's small files (rollups.ts): the time
 * series and the pageviews KPI, drawn while the raw events load. `useRollups` fetches them when the scope allows it; `RollupOverview`
 * stands in for the overview until the events are in; `Overview` then keeps drawing the rollup chart until
 * its own `series` (from the events, equal by construction) is ready.
 */
import { useEffect, useState } from 'preact/hooks'
import type { Bucket } from '../../warehouse/sql/buckets.ts'
import type { Range } from '../../warehouse/sql/query.ts'
import { listFiles } from './api.ts'
import { BarChart, type Point } from './Chart.tsx'
import { formatCell } from './format.ts'
import { getLake } from './loader.ts'
import { SeriesHead, seriesBucket } from './Overview.tsx'
import { KPIS } from './panels.ts'
import { loadTimeline, rollupPageviews, rollupSeries, type Timeline } from './rollups.ts'
import { offsetsOver } from '../../warehouse/aggregate/zone.ts'

/** Pageviews at a time (rollups and open-day parts) fetched for a range (and the previous period, when compared). */
export interface Rollups {
  range: Range
  previous: Range | null
  timeline: Timeline
}

/** What the overview draws from rollups: the chart for a bucket, and the pageviews. */
export interface RollupChart {
  chart(bucket: Bucket): { points: Point[]; previous?: Point[] }
  pageviews: number
}

/**
 * Fetches the rollups and the open day's parts of the range (and previous period) when `on` (no filters, the
 * overview) and they give exact counts (`inexact` in rollups.ts); else null. `rangeAt(now)` gives the ranges;
 * `key` changes when the range does.
 */
export function useRollups(on: boolean, site: string, rangeAt: (now: number) => { range: Range; previous: Range | null }, key: string): Rollups | null {
  const [rollups, setRollups] = useState<Rollups | null>(null)
  useEffect(() => {
    if (!on) return
    const { range, previous } = rangeAt(Date.now())
    let live = true
    const from = previous ? Math.min(previous.from, range.from) : range.from
    listFiles(site, from, range.to, 'events', true)
      .then((files) => loadTimeline(files, previous ? [range, previous] : [range], getLake))
      .then((timeline) => live && timeline && setRollups({ range, previous, timeline }))
      // The events load reports errors (auth included); without rollups the overview just waits for it.
      .catch(() => {})
    return () => void (live = false)
  }, [on, key])
  return on ? rollups : null
}

/** The chart and pageviews of rollups fetched for exactly this range and comparison, else null; buckets in zone `tz`. */
export function rollupChart(r: Rollups | null, range: Range, previous: Range | null, bots: boolean, tz = 'UTC'): RollupChart | null {
  const same = (a: Range | null, b: Range | null) => a?.from === b?.from && a?.to === b?.to
  if (!r || !same(r.range, range) || !same(r.previous, previous)) return null
  const points = (x: Range, b: Bucket) => rollupSeries(r.timeline, x, b, bots, offsetsOver(x, tz)).map((p) => ({ t: p.t, value: p.pageviews }))
  return {
    chart: (b) => ({ points: points(range, b), previous: previous ? points(previous, b) : undefined }),
    pageviews: rollupPageviews(r.timeline, range, bots),
  }
}

/** The overview before the events are loaded: the rollup chart and pageviews; every other number waits. */
export function RollupOverview({ early, range, extra, setExtra }: { early: RollupChart; range: Range; extra: Record<string, string>; setExtra: (k: string, v: string | null) => void }) {
  const bucket = seriesBucket(extra, range)
  const { points, previous } = early.chart(bucket)
  return (
    <>
      <section class="kpis" data-testid="kpis" data-state="loading" aria-busy="true">
        {KPIS.map(([key, label]) => (
          <div class="kpi" key={key}>
            <div class="kpi-value" data-testid={`kpi-${key}`} data-source={key === 'pageviews' ? 'rollups' : undefined}>
              {key === 'pageviews' ? formatCell(key, early.pageviews) : '…'}
            </div>
            <div class="kpi-label">{label}</div>
          </div>
        ))}
      </section>
      <section class="panel wide" data-testid="timeseries" data-state="ready" data-source="rollups" aria-busy="true">
        <SeriesHead bucket={bucket} setExtra={setExtra} />
        <BarChart testid="chart" label={`Pageviews by ${bucket}`} points={points} previous={previous} />
        <p class="hint">From the pageview rollups and today's newest files; the other panels follow once the events are loaded.</p>
      </section>
    </>
  )
}
