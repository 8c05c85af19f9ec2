/** Filtered traffic: what the edge dropped and why, and the bots stored but left out. */
import type { ViewProps } from '../Overview.tsx'
import { Panel } from '../Panel.tsx'
import { botsByReason, droppedByReason } from '../../../warehouse/sql/dropped.ts'

export function Filtered({ lake, version, scope }: ViewProps) {
  return (
    <div class="grid">
      <Panel
        title="Dropped by the edge"
        testid="dropped"
        lake={lake}
        version={version}
        query={droppedByReason(scope.range)}
        empty="Nothing was dropped in this range."
      />
      <Panel
        title="Bots (stored, left out unless included)"
        testid="bots"
        lake={lake}
        version={version}
        query={botsByReason(scope.range)}
        empty="No bot traffic in this range."
      />
    </div>
  )
}
