/** Streams: tumbling, hopping and session windows over the events, grouped by a dimension. */
import { isDimension, type Dimension } from '../../../warehouse/sql/dimensions.ts'
import { SESSION_GAP_MS } from '../../../warehouse/session-gap.ts'
import { hopping, sessionWindow, tumbling, windows, type WindowSpec } from '../../../warehouse/sql/windows.ts'
import { Chart, type Line } from '../Chart.tsx'
import type { Result } from '../db.ts'
import type { ViewProps } from '../Overview.tsx'
import { Panel, ResultTable } from '../Panel.tsx'
import { opts } from '../../../warehouse/sql/view.ts'

/** Dimensions a stream groups by; "" is none (session windows then key on the visitor). */
export const STREAM_BY = ['', 'name', 'path', 'referrer_host', 'country'] as const
/** Rows a stream table shows: the latest windows. */
export const STREAM_ROWS = 200

export function streamSpec(extra: Record<string, string>): { spec: WindowSpec; by: Dimension[] } {
  const kind = extra.window ?? 'hopping'
  const size = (Number(extra.size) > 0 ? Number(extra.size) : kind === 'session' ? SESSION_GAP_MS / 1000 : 300) * 1000
  const slide = (Number(extra.slide) > 0 ? Number(extra.slide) : 10) * 1000
  const spec = kind === 'tumbling' ? tumbling(size) : kind === 'session' ? sessionWindow(size) : hopping(size, slide)
  const by = extra.by !== undefined ? extra.by : 'name'
  return { spec, by: by && isDimension(by) ? [by] : [] }
}

export function Streams({ lake, version, scope, extra, setExtra }: ViewProps) {
  const { spec, by } = streamSpec(extra)
  // The SQL shown is the library's own, runnable as is anywhere (no tables materialised by the dashboard).
  const q = windows(scope.range, spec, { ...opts(scope), by, materialised: false })
  const size = (spec.kind === 'session' ? spec.gapMs : spec.sizeMs) / 1000
  return (
    <>
      <form class="controls" onSubmit={(e) => e.preventDefault()}>
        <label>
          Window{' '}
          <select data-testid="stream-kind" value={spec.kind} onChange={(e) => setExtra('window', e.currentTarget.value)}>
            <option value="tumbling">tumbling</option>
            <option value="hopping">hopping</option>
            <option value="session">session</option>
          </select>
        </label>
        <label>
          By{' '}
          <select data-testid="stream-by" value={by[0] ?? ''} onChange={(e) => setExtra('by', e.currentTarget.value || ' ')}>
            {STREAM_BY.map((d) => (
              <option key={d} value={d}>
                {d || (spec.kind === 'session' ? 'visitor' : 'total')}
              </option>
            ))}
          </select>
        </label>
        <label>
          {spec.kind === 'session' ? 'Gap' : 'Size'} (s){' '}
          <input type="number" min="1" value={size} onChange={(e) => setExtra('size', e.currentTarget.value)} />
        </label>
        {spec.kind === 'hopping' && (
          <label>
            Slide (s) <input type="number" min="1" value={spec.slideMs / 1000} onChange={(e) => setExtra('slide', e.currentTarget.value)} />
          </label>
        )}
      </form>
      <Panel
        title={`${spec.kind} windows${by.length ? ` by ${by[0]}` : ''}`}
        testid="stream"
        lake={lake}
        version={version}
        query={q}
        showSql
      >
        {(r) => (
          <>
            <Chart
              testid="stream-chart"
              label={`Events per window${by.length ? ` by ${by[0]}` : ''}`}
              metric="events"
              {...windowLines(r, by[0])}
            />
            <p class="hint">
              {r.rows.length} windows; the latest {Math.min(STREAM_ROWS, r.rows.length)} below, newest first.
            </p>
            <ResultTable result={{ columns: r.columns, rows: r.rows.slice(-STREAM_ROWS).reverse() }} />
          </>
        )}
      </Panel>
    </>
  )
}

/** Lines the chart draws at most: the groups with the most events (the table lists every group). */
export const STREAM_LINES = 8
/** Window starts the chart draws at most: the latest. */
export const STREAM_POINTS = 5_000

/**
 * The chart of a stream: events per window start, oldest first, one line per group (the `STREAM_LINES`
 * groups with the most events; 0 where a group has no window starting then) or one line in all.
 */
export function windowLines(r: Result, by: string | undefined): { times: string[]; lines: Line[] } {
  const times = [...new Set(r.rows.map((x) => String(x.window_start)))].sort().slice(-STREAM_POINTS)
  const at = new Map(times.map((t, i) => [t, i]))
  const groups = new Map<string, number>()
  if (by) for (const x of r.rows) groups.set(String(x[by] ?? '(none)'), (groups.get(String(x[by] ?? '(none)')) ?? 0) + Number(x.events))
  const top = by
    ? [...groups]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, STREAM_LINES)
        .map(([g]) => g)
    : ['Events']
  const lines: Line[] = top.map((label) => ({ label, values: times.map(() => 0) }))
  const index = new Map(top.map((g, i) => [g, i]))
  for (const x of r.rows) {
    const i = at.get(String(x.window_start))
    const l = by ? index.get(String(x[by] ?? '(none)')) : 0
    if (i === undefined || l === undefined) continue
    lines[l]!.values[i] = (lines[l]!.values[i] ?? 0) + Number(x.events)
  }
  return { times, lines }
}
