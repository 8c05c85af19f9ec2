/** The other views: realtime, streams, funnels and orders, users, filtered traffic, SQL console. */
import { useState } from 'preact/hooks'
import { isDimension, type Dimension } from '../../warehouse/sql/dimensions.ts'
import { funnel, type FunnelStep } from '../../warehouse/sql/funnels.ts'
import { orders } from '../../warehouse/sql/orders.ts'
import { categoriesLastHour, devicesNow, latestVisitors, liveVisitors, sessionsLast8h, topPagesLastHour } from '../../warehouse/sql/realtime.ts'
import { users, usersBy } from '../../warehouse/sql/users.ts'
import { hopping, sessionWindow, tumbling, windows, type WindowSpec } from '../../warehouse/sql/windows.ts'
import { BarChart } from './Chart.tsx'
import type { Result } from './db.ts'
import type { ViewProps } from './Overview.tsx'
import { Panel, ResultTable } from './Panel.tsx'
import { Retention } from './Retention.tsx'
import { botsByReason, droppedByReason } from './queries/dropped.ts'
import { opts, type Scope } from './queries/filters.ts'
import { liveFeed } from './queries/overview.ts'

/** The realtime panels at `now`, as [testid, title, query, columns?]. */
export function realtimePanels(now: number, s: Omit<Scope, 'range'>) {
  const o = { bots: s.bots, filters: s.filters }
  return [
    ['rt-current', 'Visitors now (5 min) and in the last 15 minutes', liveVisitors(now, o)],
    ['rt-sessions', 'Visits, last 8 hours (30 min)', sessionsLast8h(now, o)],
    ['rt-devices', 'Devices now', devicesNow(now, o)],
    ['rt-pages', 'Top pages, last hour', topPagesLastHour(now, o)],
    ['rt-categories', 'Categories, last hour', categoriesLastHour(now, o)],
    ['rt-latest', 'Latest visitors', latestVisitors(now, o), ['last_seen', 'country', 'device_type', 'browser', 'path']],
    ['rt-feed', 'Live events', liveFeed(now, s)],
  ] as const
}

export function Realtime({ lake, version, scope, now }: ViewProps & { now: number }) {
  return (
    <div class="grid">
      {realtimePanels(now, scope).map(([testid, title, q, columns]) => (
        <Panel key={testid} title={title} testid={testid} lake={lake} version={version} query={q} columns={columns ? [...columns] : undefined}>
          {testid === 'rt-sessions'
            ? (r) => (
                <>
                  <BarChart label="Visits per 30 minutes" points={r.rows.map((x) => ({ t: String(x.t), value: Number(x.sessions) }))} />
                  <ResultTable result={r} />
                </>
              )
            : undefined}
        </Panel>
      ))}
    </div>
  )
}

/** Dimensions a stream groups by; "" is none (session windows then key on the visitor). */
export const STREAM_BY = ['', 'name', 'path', 'referrer_host', 'country'] as const
/** Rows a stream table shows: the latest windows. */
export const STREAM_ROWS = 200

export function streamSpec(extra: Record<string, string>): { spec: WindowSpec; by: Dimension[] } {
  const kind = extra.window ?? 'hopping'
  const size = (Number(extra.size) > 0 ? Number(extra.size) : kind === 'session' ? 1800 : 300) * 1000
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
        <label>Window <select data-testid="stream-kind" value={spec.kind} onChange={(e) => setExtra('window', e.currentTarget.value)}>
          <option value="tumbling">tumbling</option><option value="hopping">hopping</option><option value="session">session</option>
        </select></label>
        <label>By <select data-testid="stream-by" value={by[0] ?? ''} onChange={(e) => setExtra('by', e.currentTarget.value || ' ')}>
          {STREAM_BY.map((d) => <option key={d} value={d}>{d || (spec.kind === 'session' ? 'visitor' : 'total')}</option>)}
        </select></label>
        <label>{spec.kind === 'session' ? 'Gap' : 'Size'} (s) <input type="number" min="1" value={size} onChange={(e) => setExtra('size', e.currentTarget.value)} /></label>
        {spec.kind === 'hopping' && <label>Slide (s) <input type="number" min="1" value={spec.slideMs / 1000} onChange={(e) => setExtra('slide', e.currentTarget.value)} /></label>}
      </form>
      <Panel title={`${spec.kind} windows${by.length ? ` by ${by[0]}` : ''}`} testid="stream" lake={lake} version={version} query={q} showSql>
        {(r) => (
          <>
            <BarChart label="Events per window" points={windowTotals(r)} />
            <p class="hint">{r.rows.length} windows; the latest {Math.min(STREAM_ROWS, r.rows.length)} below.</p>
            <ResultTable result={{ columns: r.columns, rows: r.rows.slice(-STREAM_ROWS) }} />
          </>
        )}
      </Panel>
    </>
  )
}

/** Events per window start, oldest first, for the chart (at most the last 120 windows). */
function windowTotals(r: Result) {
  const m = new Map<string, number>()
  for (const x of r.rows) m.set(String(x.window_start), (m.get(String(x.window_start)) ?? 0) + Number(x.events))
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).slice(-120).map(([t, value]) => ({ t, value }))
}

/** Funnel steps in the URL: steps=path:/,name:add_to_cart,name:order (dimension:value, "is"). */
export function parseSteps(s: string | undefined): FunnelStep[] {
  return (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .flatMap((x) => {
      const i = x.indexOf(':')
      const dim = x.slice(0, i)
      const value = x.slice(i + 1)
      return i > 0 && value && isDimension(dim) ? [{ label: `${dim} ${value}`, where: [{ dim, op: 'is' as const, value }] }] : []
    })
    .slice(0, 20)
}

export function Funnels({ lake, version, scope, extra, setExtra }: ViewProps) {
  const steps = parseSteps(extra.steps)
  const [text, setText] = useState(extra.steps ?? 'path:/,name:add_to_cart,name:order')
  const orderEvent = extra.order || 'order'
  const within = Number(extra.within) > 0 ? { minutes: Number(extra.within) } : ('session' as const)
  return (
    <>
      <form class="controls" onSubmit={(e) => (e.preventDefault(), setExtra('steps', text))}>
        <label>
          Steps (dimension:value, comma separated, e.g. path:/cart or name:order){' '}
          <input data-testid="funnel-steps" size={50} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit">Show funnel</button>
      </form>
      <div class="grid">
        <Panel title={`Funnel (${within === 'session' ? 'within a visit' : `within ${within.minutes} minutes`})`} testid="funnel" lake={lake} version={version}
          query={steps.length ? funnel(scope.range, steps, { ...opts(scope), within }) : null} empty="Enter the steps of a funnel." />
        <Panel title={`Orders (event "${orderEvent}")`} testid="orders" lake={lake} version={version} query={orders(scope.range, { ...opts(scope), orderEvent })} />
        <Retention lake={lake} version={version} scope={scope} />
      </div>
    </>
  )
}

export function Users({ lake, version, scope, extra, setExtra }: ViewProps) {
  const group = extra.group && isDimension(extra.group) ? extra.group : 'country'
  const trait = extra.trait || 'age'
  const [g, setG] = useState<string>(group)
  const [t, setT] = useState(trait)
  return (
    <>
      <form class="controls" onSubmit={(e) => (e.preventDefault(), setExtra('group', g), setExtra('trait', t))}>
        <label>Group by (a dimension, or prop:&lt;key&gt;) <input data-testid="users-group" value={g} onInput={(e) => setG(e.currentTarget.value)} /></label>
        <label>Average of trait <input value={t} onInput={(e) => setT(e.currentTarget.value)} /></label>
        <button type="submit">Show</button>
      </form>
      <div class="grid">
        <Panel title={`Users by ${group}`} testid="users-by" lake={lake} version={version} query={usersBy(scope.range, group, trait, opts(scope))}
          labels={{ avg_trait: `average ${trait}` }} empty="No identified users in this range." />
        <Panel title="Identified users" testid="users" lake={lake} version={version} query={users(scope.range, { ...opts(scope), limit: 50 })}
          empty="No identified users in this range." />
      </div>
    </>
  )
}

export function Filtered({ lake, version, scope }: ViewProps) {
  return (
    <div class="grid">
      <Panel title="Dropped by the edge" testid="dropped" lake={lake} version={version} query={droppedByReason(scope.range)}
        empty="Nothing was dropped in this range." />
      <Panel title="Bots (stored, left out unless included)" testid="bots" lake={lake} version={version} query={botsByReason(scope.range)}
        empty="No bot traffic in this range." />
    </div>
  )
}

export function SqlConsole({ lake, version, extra, setExtra }: ViewProps) {
  const initial = extra.sql || `SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY n DESC`
  const [text, setText] = useState(initial)
  // SQL from the URL is anyone's (a link can carry it): shown, and run only when the owner presses Run.
  const [ran, setRan] = useState<string | null>(extra.sql ? null : initial)
  const run = () => (setRan(text), setExtra('sql', text))
  return (
    <>
      <form class="controls sql" onSubmit={(e) => (e.preventDefault(), run())}>
        <label for="sql-text">SQL over <code>events</code> (deduplicated; <code>vid</code> numbers its visitor for this load), <code>sessions</code>, <code>dropped_raw</code> (Ctrl+Enter runs; reading statements only, nothing it does changes the other views)</label>
        <textarea id="sql-text" data-testid="sql-text" rows={6} value={text} onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) (e.preventDefault(), run()) }} />
        <button type="submit" data-testid="sql-run">Run</button>
      </form>
      {ran === null ? (
        <section class="panel" data-testid="sql-result" data-state="waiting">
          <p class="empty" role="status">This query came with the link and has not run: read it, then press Run.</p>
        </section>
      ) : (
        <Panel title="Result" testid="sql-result" lake={lake} version={version} query={{ sql: ran, params: [] }} empty="No rows." readOnly />
      )}
    </>
  )
}
