/** Funnels and orders: the steps of a funnel (from the URL) and the orders of an event. */
import { useState } from 'preact/hooks'
import { isDimension } from '../../../warehouse/sql/dimensions.ts'
import { funnel, type FunnelStep } from '../../../warehouse/sql/funnels.ts'
import { orders } from '../../../warehouse/sql/orders.ts'
import type { ViewProps } from '../Overview.tsx'
import { Panel } from '../Panel.tsx'
import { Retention } from '../Retention.tsx'
import { opts } from '../../../warehouse/sql/view.ts'

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
        <Panel
          title={`Funnel (${within === 'session' ? 'within a visit' : `within ${within.minutes} minutes`})`}
          testid="funnel"
          lake={lake}
          version={version}
          query={steps.length ? funnel(scope.range, steps, { ...opts(scope), within }) : null}
          idle="Enter the steps of a funnel above, then press Show funnel."
        />
        <Panel
          title={`Orders (event "${orderEvent}")`}
          testid="orders"
          wide
          lake={lake}
          version={version}
          query={orders(scope.range, { ...opts(scope), orderEvent })}
        />
        <Retention lake={lake} version={version} scope={scope} />
      </div>
    </>
  )
}
