/**
 * One card of the overview per group of breakdowns (panel-groups.ts): a tab per breakdown, only the open
 * one's query runs, and a Details list of all its rows. The card is that breakdown's `Panel`, so it carries
 * the breakdown's `data-testid` and states; the open tab lives in the URL (`setExtra`).
 */
import { useRef, useState } from 'preact/hooks'
import type { Dimension } from '../../warehouse/sql/dimensions.ts'
import type { ViewScope } from '../../warehouse/sql/view.ts'
import type { Lake } from './db.ts'
import { Details } from './Details.tsx'
import { Panel } from './Panel.tsx'
import { openTab, type PanelGroupSpec } from './panel-groups.ts'

export interface PanelGroupProps {
  group: PanelGroupSpec
  lake: Lake
  version: number
  scope: ViewScope
  extra: Record<string, string>
  setExtra: (k: string, v: string | null) => void
  pick: (dim: Dimension, value: string) => void
  /** The range's unique visitors: each row's share is of these. */
  total?: number
}

export function PanelGroup({ group, lake, version, scope, extra, setExtra, pick, total }: PanelGroupProps) {
  const spec = openTab(group, extra)
  const [details, setDetails] = useState(false)
  const label = group.tabs.find(([t]) => t === spec.testid)![1]
  const onPick = spec.pick ? (v: string) => pick(spec.pick!, v) : undefined
  return (
    <div class="panel-group" data-group={group.key}>
      <Panel
        title={group.title}
        testid={spec.testid}
        lake={lake}
        version={version}
        query={spec.query(scope)}
        columns={spec.columns}
        labels={{ value: label }}
        share="visitors"
        total={total}
        onPick={onPick}
        tabs={
          <Tabs
            group={group}
            open={spec.testid}
            // The first tab is the default: it leaves the URL as it was.
            choose={(t) => setExtra(group.key, t === group.tabs[0]![0] ? null : t)}
          />
        }
        body={{ id: `${group.key}-body`, role: 'tabpanel', 'aria-labelledby': `tab-${spec.testid}` }}
        actions={
          <button
            type="button"
            class="details-open"
            data-testid={`${spec.testid}-details`}
            aria-haspopup="dialog"
            onClick={() => setDetails(true)}
          >
            Details
          </button>
        }
      />
      {details && (
        <Details
          title={`${group.title}: ${label}`}
          spec={spec}
          label={label}
          lake={lake}
          version={version}
          scope={scope}
          total={total}
          onPick={onPick && ((v) => (setDetails(false), onPick(v)))}
          onClose={() => setDetails(false)}
        />
      )}
    </div>
  )
}

/**
 * The group's tabs, WAI-ARIA's tabs pattern: buttons with role=tab and aria-selected; only the open tab is in
 * the tab order, arrows (Home, End) move between tabs and open the one reached.
 */
function Tabs({ group, open, choose }: { group: PanelGroupSpec; open: string; choose: (testid: string) => void }) {
  const list = useRef<HTMLDivElement>(null)
  const move = (ev: KeyboardEvent) => {
    const i = group.tabs.findIndex(([t]) => t === open)
    const n = group.tabs.length
    const to =
      ev.key === 'ArrowRight'
        ? (i + 1) % n
        : ev.key === 'ArrowLeft'
          ? (i + n - 1) % n
          : ev.key === 'Home'
            ? 0
            : ev.key === 'End'
              ? n - 1
              : -1
    if (to < 0) return
    ev.preventDefault()
    choose(group.tabs[to]![0])
    list.current?.querySelectorAll<HTMLButtonElement>('[role=tab]')[to]?.focus()
  }
  return (
    <div class="tabs" role="tablist" aria-label={group.title} ref={list} onKeyDown={move}>
      {group.tabs.map(([testid, label]) => (
        <button
          key={testid}
          type="button"
          role="tab"
          class="tab"
          id={`tab-${testid}`}
          data-testid={`tab-${testid}`}
          aria-selected={testid === open}
          aria-controls={`${group.key}-body`}
          tabIndex={testid === open ? 0 : -1}
          onClick={() => choose(testid)}
        >
          {label}
        </button>
      ))}
    </div>
  )
}
