/**
 * The overview's first picture, drawn before DuckDB has started: the time series and the pageviews KPI from
 * the aggregates of the range's aggregated days, the pageview rollups and the open day's small files of the
 * rest (rollups.ts). `useEarlyChart` builds it once the aggregates are listed (useLake.ts); `RollupOverview`
 * stands in for the overview until the events are in; `Overview` then keeps drawing this chart until its own
 * `series` (from DuckDB, equal by construction) is ready.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Bucket } from '../../warehouse/sql/buckets.ts'
import type { Range } from '../../warehouse/sql/query.ts'
import type { Split } from '../../warehouse/sql/aggregates.ts'
import { listFiles } from './api.ts'
import { TimeChart, type Point } from './Chart.tsx'
import { formatCell } from './format.ts'
import { getLake } from './loader.ts'
import { SeriesHead, seriesBucket } from './Overview.tsx'
import { KPIS } from './panels.ts'
import { addQuarters, loadTimeline, readQuarters, restrict, rollupPageviews, rollupSeries, type Timeline } from './rollups.ts'
import type { Listing } from './useLake.ts'
import { offsetsOver } from '../../warehouse/aggregate/zone.ts'
import { DAY } from '../../warehouse/time.ts'

/**
 * Raw parts (outside aggregated days) longer than this in all are not drawn early: a month and its previous
 * period from rollups (a day's file each) at most; longer (a year without aggregates yet, or with bots), the
 * listing and files would be a long range's, and the chart waits for DuckDB.
 */
const MAX_RAW_MS = 62 * DAY

/** Pageviews at a time for a range (and the previous period, when compared). */
export interface Early {
  range: Range
  previous: Range | null
  timeline: Timeline
  /** Whether aggregated days (quarter hours) answer part of it: no minute buckets there. */
  aggregated: boolean
}

/** What the overview draws early: the chart for a bucket, and the pageviews. */
export interface EarlyChart {
  chart(bucket: Bucket): { points: Point[]; previous?: Point[] }
  pageviews: number
  aggregated: boolean
}

/**
 * Builds the early timeline of `listing`'s range and previous period (null: not wanted) when the state's
 * range changes (`key`; not on a refresh or a realtime poll: the events' chart is there already). The
 * aggregated days of its split answer from their files' quarter rows; the raw parts from rollups and parts,
 * when those give exact counts (`inexact` in rollups.ts); else null.
 */
export function useEarlyChart(listing: Listing | null, key: string): Early | null {
  const [early, setEarly] = useState<Early | null>(null)
  const built = useRef('')
  useEffect(() => {
    if (!listing || built.current === key) return
    built.current = key
    const { range, previous } = listing
    const whole = (r: Range): Split => ({ agg: null, raw: [r] })
    const splits = [listing.split ?? whole(range), ...(previous ? [listing.previousSplit ?? whole(previous)] : [])]
    const aggs = splits.flatMap((s) => (s.agg ? [s.agg] : []))
    const raws = splits.flatMap((s) => s.raw)
    if (raws.reduce((n, r) => n + r.to - r.from + 1, 0) > MAX_RAW_MS) return
    ;(async () => {
      const lists = await Promise.all(raws.map((r) => listFiles(listing.site, r.from, r.to, 'events', true)))
      const files = [...new Map(lists.flat().map((f) => [f.key, f])).values()]
      const timeline = raws.length ? await loadTimeline(files, raws, getLake) : new Map()
      if (!timeline) return
      restrict(timeline, raws)
      const urls = new Set(listing.days.filter((d) => aggs.some((a) => d.from >= a.from && d.to <= a.to)).map((d) => d.url))
      for (const q of await Promise.all([...urls].map(async (u) => readQuarters(await getLake(u))))) addQuarters(timeline, q, aggs)
      // Unless the state moved on meanwhile.
      if (built.current === key) setEarly({ range, previous, timeline, aggregated: aggs.length > 0 })
    })()
      // The events load reports errors (auth included); without an early chart the overview just waits for it.
      .catch(() => {})
    // On each new listing (a load's: stale loads set none), for a new key only.
  }, [listing])
  return listing ? early : null
}

/** The chart and pageviews of an early timeline built for exactly this range and comparison, else null; buckets in zone `tz`. */
export function earlyChart(e: Early | null, range: Range, previous: Range | null, bots: boolean, tz = 'UTC'): EarlyChart | null {
  const same = (a: Range | null, b: Range | null) => a?.from === b?.from && a?.to === b?.to
  if (!e || !same(e.range, range) || !same(e.previous, previous)) return null
  const points = (x: Range, b: Bucket) =>
    rollupSeries(e.timeline, x, b, bots, offsetsOver(x, tz)).map((p) => ({ t: p.t, value: p.pageviews }))
  return {
    chart: (b) => ({ points: points(range, b), previous: previous ? points(previous, b) : undefined }),
    pageviews: rollupPageviews(e.timeline, range, bots),
    aggregated: e.aggregated,
  }
}

/** The overview before the events are loaded: the rollup chart and pageviews; every other number waits. */
export function RollupOverview({
  early,
  range,
  extra,
  setExtra,
}: {
  early: EarlyChart
  range: Range
  extra: Record<string, string>
  setExtra: (k: string, v: string | null) => void
}) {
  const bucket = seriesBucket(extra, range, early.aggregated)
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
        <TimeChart testid="chart" label={`Pageviews by ${bucket}`} points={points} previous={previous} />
        <p class="hint">
          From the aggregates, the pageview rollups and today's newest files; the other panels follow once DuckDB has loaded them.
        </p>
      </section>
    </>
  )
}
