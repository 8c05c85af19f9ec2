/**
 * The time series chart, drawn by uPlot (a canvas chart made for long series: 1,000 buckets draw in a few
 * ms): axes with dates as the buckets name them (the site's wall-clock time, buckets.ts), gridlines, a
 * tooltip with each line's value at the bucket under the pointer or the keyboard's cursor (arrow keys,
 * Home, End), the previous period as a dashed second line, the width of its box. A visually hidden list
 * holds the same numbers for screen readers (and the tests): `li[data-t]`, its lines' `[data-value]`.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { formatMetric } from './format.ts'

/** One bucket: its start as the series names it ('YYYY-MM-DD HH:MM:SS', local wall-clock time), its value. */
export interface Point {
  t: string
  value: number | null
}

/** A line of the chart: one value per bucket of the chart's `times`. */
export interface Line {
  label: string
  values: (number | null)[]
  /** The previous period: dashed and muted; `times` names its own buckets in the tooltip. */
  previous?: boolean
  times?: string[]
}

export interface ChartProps {
  /** Bucket starts, oldest first ('YYYY-MM-DD HH:MM:SS', wall-clock time: printed as they are). */
  times: string[]
  lines: Line[]
  /** Accessible name of the chart. */
  label: string
  /** How values read (formatMetric in format.ts): a KPI key; counts by default. */
  metric?: string
  testid?: string
  empty?: string
  height?: number
}

/** Colours of lines beyond the first (by group, Streams); the first is the theme's accent. */
const PALETTE = ['#e8743b', '#19a979', '#945ecf', '#ed4a7b', '#13a4b4', '#bf399e', '#f4c33f', '#6c8893']

/** Seconds since the epoch of a wall-clock time read as UTC: the axis then prints it unchanged. */
const seconds = (t: string) => Date.parse(`${t.replace(' ', 'T')}Z`) / 1000

/** A human label of a bucket start: "Mon 5 Jan 2026, 14:00" (no time for whole days). */
export function bucketLabel(t: string): string {
  const d = new Date(seconds(t) * 1000)
  const day = d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
  return t.endsWith('00:00:00') ? day : `${day}, ${t.slice(11, 16)}`
}

export function Chart({
  times,
  lines,
  label,
  metric = 'pageviews',
  testid,
  empty = 'No data in this range yet.',
  height = 240,
}: ChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const [idx, setIdx] = useState<number | null>(null)
  const [x, setX] = useState(0)
  const [dark, setDark] = useState(() => matchMedia('(prefers-color-scheme: dark)').matches)
  const key = JSON.stringify([times, lines, metric, height, dark])

  useEffect(() => {
    const m = matchMedia('(prefers-color-scheme: dark)')
    const on = () => setDark(m.matches)
    m.addEventListener('change', on)
    return () => m.removeEventListener('change', on)
  }, [])

  useEffect(() => {
    const el = box.current
    if (!el || !times.length) return
    const css = getComputedStyle(el)
    const color = (v: string) => css.getPropertyValue(v).trim()
    const fg = color('--muted') || '#666'
    const grid = color('--line') || '#ddd'
    const accent = color('--accent') || '#4f6bed'
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '12px system-ui, sans-serif' }
    const u = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        legend: { show: false },
        // Dates as the buckets name them (already the site's local time).
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
        cursor: { y: false, points: { size: 8 } },
        scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [axis, { ...axis, size: 60, values: (_u, splits) => splits.map((v) => formatMetric(metric, v, true)) }],
        series: [
          {},
          ...lines.map((l, i) => ({
            label: l.label,
            stroke: l.previous ? fg : i === 0 ? accent : PALETTE[(i - 1) % PALETTE.length],
            width: l.previous ? 1.5 : 2,
            dash: l.previous ? [5, 4] : undefined,
            fill: i === 0 && !l.previous && lines.filter((x) => !x.previous).length === 1 ? `${accent}22` : undefined,
            points: { show: times.length <= 60 },
            spanGaps: false,
          })),
        ],
        hooks: {
          setCursor: [
            (u) => {
              const i = u.cursor.idx
              setIdx(i ?? null)
              if (i !== null && i !== undefined) setX(u.over.offsetLeft + u.valToPos(u.data[0][i]!, 'x'))
            },
          ],
        },
      },
      [times.map(seconds), ...lines.map((l) => l.values.slice(0, times.length))],
      el,
    )
    plot.current = u
    // Responsive: the chart follows its box's width.
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }))
    ro.observe(el)
    return () => (ro.disconnect(), u.destroy(), (plot.current = null), setIdx(null))
  }, [key])

  /** Moves the cursor to bucket `i` (keyboard). */
  const moveTo = (i: number) => {
    const u = plot.current
    if (!u || !times.length) return
    const j = Math.max(0, Math.min(times.length - 1, i))
    const v = lines[0]?.values[j] ?? 0
    u.setCursor({ left: u.valToPos(u.data[0][j]!, 'x'), top: u.valToPos(v ?? 0, 'y') })
  }
  const onKey = (e: KeyboardEvent) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key]
    if (step !== undefined) moveTo(idx === null ? (step > 0 ? 0 : times.length - 1) : idx + step)
    else if (e.key === 'Home') moveTo(0)
    else if (e.key === 'End') moveTo(times.length - 1)
    else return
    e.preventDefault()
  }

  if (!times.length) return <p class="empty">{empty}</p>
  return (
    <figure class="chart" data-testid={testid} data-metric={metric}>
      <div
        class="chart-box"
        ref={box}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a keyboard widget: focused, the arrow keys, Home and End move the cursor
        tabIndex={0}
        role="application"
        aria-roledescription="chart"
        aria-label={`${label}. Arrow keys move between buckets.`}
        onKeyDown={onKey}
        onBlur={() => plot.current?.setCursor({ left: -10, top: -10 })}
      >
        {idx !== null && (
          <div
            class={`chart-tip${x > (box.current?.clientWidth ?? 0) / 2 ? ' left' : ''}`}
            data-testid={testid && `${testid}-tooltip`}
            data-t={times[idx]}
            role="status"
            aria-live="polite"
            style={{ left: `${x}px` }}
          >
            <div class="chart-tip-t">{bucketLabel(times[idx]!)}</div>
            {lines.map((l, i) => (
              <div key={i} class={l.previous ? 'chart-tip-prev' : undefined} data-line={i} data-value={l.values[idx] ?? ''}>
                {`${l.previous && l.times?.[idx] ? bucketLabel(l.times[idx]!) : l.label}: `}
                <strong>{formatMetric(metric, l.values[idx])}</strong>
              </div>
            ))}
          </div>
        )}
      </div>
      {/* The same numbers for screen readers (and the tests): a list, not a table, so no panel's table rows include them. */}
      <ol class="sr-only" aria-label={label}>
        {times.map((t, j) => (
          <li key={t} data-t={t}>
            {bucketLabel(t)}
            {lines.map((l, i) => (
              <span
                key={i}
                data-line={i}
                data-label={l.label}
                data-value={l.values[j] ?? ''}
              >{`; ${l.label}: ${formatMetric(metric, l.values[j])}`}</span>
            ))}
          </li>
        ))}
      </ol>
    </figure>
  )
}

/**
 * One series over time and the previous period's by bucket index (the comparison): the overview's and the
 * first chart's (RollupOverview.tsx) chart.
 */
export function TimeChart({
  points,
  previous,
  label,
  testid,
  metric = 'pageviews',
  seriesLabel = 'This period',
}: {
  points: Point[]
  previous?: Point[]
  label: string
  testid?: string
  metric?: string
  seriesLabel?: string
}) {
  const times = points.map((p) => p.t)
  const lines: Line[] = [{ label: seriesLabel, values: points.map((p) => p.value) }]
  if (previous?.length) {
    const prev = previous.slice(0, points.length)
    lines.push({ label: 'Previous period', values: prev.map((p) => p.value), previous: true, times: prev.map((p) => p.t) })
  }
  return <Chart times={times} lines={lines} label={label} metric={metric} testid={testid} empty="No data in this range yet." />
}
