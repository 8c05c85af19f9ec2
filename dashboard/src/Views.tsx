/** The other views: realtime, streams, funnels and orders, users, filtered traffic, SQL console. */
import { useState } from 'preact/hooks'
import { BarChart } from './Chart.tsx'
import { downloadCsv } from './csv.ts'
import type { Result } from './db.ts'
import type { ViewProps } from './Overview.tsx'
import { Panel, ResultTable } from './Panel.tsx'
import { botsByReason, droppedByReason } from './queries/dropped.ts'
import { funnel, orders, type Step } from './queries/funnels.ts'
import { categoriesLastHour, currentVisitors, devicesNow, latestVisitors, liveFeed, topPagesLastHour, visitsLast8h } from './queries/realtime.ts'
import { STREAM_DIMS, streamWindows, type StreamDim, type WindowKind } from './queries/streams.ts'
import { usersBy } from './queries/users.ts'

export function Realtime({ lake, version, scope, now }: ViewProps & { now: number }) {
  const bots = scope.bots
  return (
    <div class="grid">
      <Panel title="Visitors now" testid="rt-current" lake={lake} version={version} query={currentVisitors(now, bots)}
        labels={{ now_5m: 'Last 5 minutes', last_15m: 'Last 15 minutes' }} />
      <Panel title="Visits, last 8 hours (30 min)" testid="rt-visits" lake={lake} version={version} query={visitsLast8h(now, bots)}>
        {(r) => (
          <>
            <BarChart label="Visits per 30 minutes" points={r.rows.map((x) => ({ t: String(x.t), value: Number(x.visits) }))} />
            <ResultTable result={r} />
          </>
        )}
      </Panel>
      <Panel title="Devices now" testid="rt-devices" lake={lake} version={version} query={devicesNow(now, bots)} />
      <Panel title="Top pages, last hour" testid="rt-pages" lake={lake} version={version} query={topPagesLastHour(now, bots)} />
      <Panel title="Categories, last hour" testid="rt-categories" lake={lake} version={version} query={categoriesLastHour(now, bots)} />
      <Panel title="Latest visitors" testid="rt-latest" lake={lake} version={version} query={latestVisitors(now, bots)} />
      <Panel title="Live events" testid="rt-feed" lake={lake} version={version} query={liveFeed(now, bots)} />
    </div>
  )
}

export function Streams({ lake, version, scope, extra, setExtra }: ViewProps) {
  const kind = (['tumbling', 'hopping', 'session'].includes(extra.window ?? '') ? extra.window : 'hopping') as WindowKind
  const dim = (extra.by && extra.by in STREAM_DIMS ? extra.by : 'event') as StreamDim
  const size = Number(extra.size) > 0 ? Number(extra.size) : kind === 'session' ? 1800 : 300
  const slide = Number(extra.slide) > 0 ? Number(extra.slide) : 10
  const q = streamWindows(scope, { kind, dim, size, slide })
  return (
    <>
      <form class="controls" onSubmit={(e) => e.preventDefault()}>
        <label>Window <select data-testid="stream-kind" value={kind} onChange={(e) => setExtra('window', e.currentTarget.value)}>
          <option value="tumbling">tumbling</option><option value="hopping">hopping</option><option value="session">session</option>
        </select></label>
        <label>By <select data-testid="stream-by" value={dim} onChange={(e) => setExtra('by', e.currentTarget.value)}>
          {Object.keys(STREAM_DIMS).map((d) => <option key={d} value={d}>{d}</option>)}
        </select></label>
        <label>{kind === 'session' ? 'Gap' : 'Size'} (s) <input type="number" min="1" value={size} onChange={(e) => setExtra('size', e.currentTarget.value)} /></label>
        {kind === 'hopping' && <label>Slide (s) <input type="number" min="1" value={slide} onChange={(e) => setExtra('slide', e.currentTarget.value)} /></label>}
      </form>
      <Panel title={`${kind} windows by ${dim}`} testid="stream" lake={lake} version={version} query={q} showSql>
        {(r) => (
          <>
            <BarChart label="Events per window" points={windowTotals(r)} />
            <ResultTable result={r} />
          </>
        )}
      </Panel>
    </>
  )
}

/** Events per window start, oldest first, for the chart. */
function windowTotals(r: Result) {
  const m = new Map<string, number>()
  for (const x of r.rows) m.set(String(x.window_start), (m.get(String(x.window_start)) ?? 0) + Number(x.events))
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, value]) => ({ t, value }))
}

/** Funnel steps in the URL: steps=page:/,page:/cart,event:order */
export function parseSteps(s: string | undefined): Step[] {
  return (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const [kind, ...v] = x.split(':')
      return { kind: kind === 'event' ? 'event' : 'page', value: v.join(':') } as Step
    })
    .filter((st) => st.value)
    .slice(0, 8)
}

export function Funnels({ lake, version, scope, extra, setExtra }: ViewProps) {
  const steps = parseSteps(extra.steps)
  const [text, setText] = useState(extra.steps ?? 'page:/,event:add_to_cart,event:order')
  const orderEvent = extra.order || 'order'
  return (
    <>
      <form class="controls" onSubmit={(e) => (e.preventDefault(), setExtra('steps', text))}>
        <label>
          Steps (page:/path or event:name, comma separated){' '}
          <input data-testid="funnel-steps" size={50} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit">Show funnel</button>
      </form>
      <div class="grid">
        <Panel title="Funnel" testid="funnel" lake={lake} version={version} query={steps.length ? funnel(scope, steps) : null}
          labels={{ conversion: 'conversion %', drop_off: 'drop-off %' }} />
        <Panel title={`Orders (event "${orderEvent}")`} testid="orders" lake={lake} version={version} query={orders(scope, orderEvent)} />
      </div>
      {!steps.length && <p class="empty">Enter the steps of a funnel.</p>}
    </>
  )
}

export function Users({ lake, version, scope, extra, setExtra }: ViewProps) {
  const group = extra.group || 'country'
  const trait = extra.trait || 'age'
  const [g, setG] = useState(group)
  const [t, setT] = useState(trait)
  return (
    <>
      <form class="controls" onSubmit={(e) => (e.preventDefault(), setExtra('group', g), setExtra('trait', t))}>
        <label>Group by (country or trait:&lt;key&gt;) <input data-testid="users-group" value={g} onInput={(e) => setG(e.currentTarget.value)} /></label>
        <label>Average of trait <input value={t} onInput={(e) => setT(e.currentTarget.value)} /></label>
        <button type="submit">Show</button>
      </form>
      <Panel title="Identified users" testid="users" lake={lake} version={version} query={usersBy(scope, group, trait)}
        labels={{ avg_trait: `average ${trait}` }} empty="No identified users in this range." />
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
  const [ran, setRan] = useState(initial)
  const run = () => (setRan(text), setExtra('sql', text))
  return (
    <>
      <form class="controls sql" onSubmit={(e) => (e.preventDefault(), run())}>
        <label for="sql-text">SQL over <code>events</code>, <code>sessions</code>, <code>events_raw</code>, <code>dropped_raw</code> (Ctrl+Enter runs)</label>
        <textarea id="sql-text" data-testid="sql-text" rows={6} value={text} onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) (e.preventDefault(), run()) }} />
        <button type="submit" data-testid="sql-run">Run</button>
      </form>
      <Panel title="Result" testid="sql-result" lake={lake} version={version} query={{ sql: ran, params: [] }} empty="No rows." />
    </>
  )
}

export { downloadCsv }
