/** Users: identified users, and users grouped by a dimension with the average of a trait. */
import { useState } from 'preact/hooks'
import { isDimension } from '../../../warehouse/sql/dimensions.ts'
import { users, usersBy } from '../../../warehouse/sql/users.ts'
import type { ViewProps } from '../Overview.tsx'
import { Panel } from '../Panel.tsx'
import { opts } from '../../../warehouse/sql/view.ts'

export function Users({ lake, version, scope, extra, setExtra }: ViewProps) {
  const group = extra.group && isDimension(extra.group) ? extra.group : 'country'
  const trait = extra.trait || 'age'
  const [g, setG] = useState<string>(group)
  const [t, setT] = useState(trait)
  return (
    <>
      <form class="controls" onSubmit={(e) => (e.preventDefault(), setExtra('group', g), setExtra('trait', t))}>
        <label>
          Group by (a dimension, or prop:&lt;key&gt;){' '}
          <input data-testid="users-group" value={g} onInput={(e) => setG(e.currentTarget.value)} />
        </label>
        <label>
          Average of trait <input value={t} onInput={(e) => setT(e.currentTarget.value)} />
        </label>
        <button type="submit">Show</button>
      </form>
      <div class="grid">
        <Panel
          title={`Users by ${group}`}
          testid="users-by"
          lake={lake}
          version={version}
          query={usersBy(scope.range, group, trait, opts(scope))}
          labels={{ avg_trait: `average ${trait}` }}
          empty="No identified users in this range."
        />
        <Panel
          title="Identified users"
          testid="users"
          lake={lake}
          version={version}
          query={users(scope.range, { ...opts(scope), limit: 50 })}
          empty="No identified users in this range."
        />
      </div>
    </>
  )
}
