/**
 * The retention cohort table of the Funnels & orders view: people (a customer's visitor ids of several days
 * joined by their user id, warehouse/sql/persons.ts) by the week they were first seen in the range, and how
 * many of them came back in each of the next weeks (warehouse/sql/retention.ts).
 */
import { retention } from '../../warehouse/sql/retention.ts'
import type { ViewProps } from './Overview.tsx'
import { Panel } from './Panel.tsx'
import { opts } from '../../warehouse/sql/view.ts'

/** The weeks after the first the table shows. */
const WEEKS = 4

export function Retention({ lake, version, scope }: Pick<ViewProps, 'lake' | 'version' | 'scope'>) {
  return (
    <Panel
      title={`Retention: people by their first week, back in weeks 1-${WEEKS}`}
      testid="retention"
      lake={lake}
      version={version}
      query={retention(scope.range, { ...opts(scope), weeks: WEEKS })}
      empty="No people in this range."
    />
  )
}
