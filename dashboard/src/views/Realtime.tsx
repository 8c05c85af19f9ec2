/** Realtime: visitors now, the last hours' visits, devices, pages, categories, latest visitors, live events. */
import {
  categoriesLastHour,
  devicesNow,
  latestVisitors,
  liveVisitors,
  sessionsLast8h,
  topPagesLastHour,
} from '../../../warehouse/sql/realtime.ts'
import { TimeChart } from '../Chart.tsx'
import type { ViewProps } from '../Overview.tsx'
import { Panel, ResultTable } from '../Panel.tsx'
import type { ViewScope } from '../../../warehouse/sql/view.ts'
import { liveFeed } from '../../../warehouse/sql/overview.ts'

/** The realtime panels at `now`, as [testid, title, query, columns?]. */
export function realtimePanels(now: number, s: Omit<ViewScope, 'range'>) {
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
        <Panel
          key={testid}
          title={title}
          testid={testid}
          lake={lake}
          version={version}
          query={q}
          columns={columns ? [...columns] : undefined}
        >
          {testid === 'rt-sessions'
            ? (r) => (
                <>
                  <TimeChart label="Visits per 30 minutes" points={r.rows.map((x) => ({ t: String(x.t), value: Number(x.sessions) }))} />
                  <ResultTable result={r} />
                </>
              )
            : undefined}
        </Panel>
      ))}
    </div>
  )
}
