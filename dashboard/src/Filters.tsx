/** The filter bar: chips (change the operator, remove) and a form to add one. Keyboard usable: plain controls. */
import { useState } from 'preact/hooks'
import { DIMENSIONS, isDimension } from '../../warehouse/sql/dimensions.ts'
import type { Filter, FilterOp as Op } from '../../warehouse/sql/filters.ts'

const OPS: Op[] = ['is', 'is_not', 'contains']

const OP_LABEL: Record<Op, string> = { is: 'is', is_not: 'is not', contains: 'contains' }

export function FilterBar({ filters, onChange }: { filters: Filter[]; onChange: (f: Filter[]) => void }) {
  const [dim, setDim] = useState('path')
  const [op, setOp] = useState<Op>('is')
  const [value, setValue] = useState('')
  return (
    <div class="filters" data-testid="filters">
      {filters.map((f, i) => (
        <span class="chip" key={`${f.dim}:${f.op}:${f.value}`} data-testid="filter-chip">
          {f.dim}{' '}
          <select
            aria-label={`Operator of the ${f.dim} filter`}
            value={f.op}
            onChange={(e) => onChange(filters.map((g, j) => (j === i ? { ...g, op: e.currentTarget.value as Op } : g)))}
          >
            {OPS.map((o) => (
              <option key={o} value={o}>
                {OP_LABEL[o]}
              </option>
            ))}
          </select>{' '}
          <strong>{String(f.value)}</strong>
          <button type="button" aria-label={`Remove the ${f.dim} filter`} onClick={() => onChange(filters.filter((_, j) => j !== i))}>
            ×
          </button>
        </span>
      ))}
      <form
        class="add-filter"
        onSubmit={(e) => {
          e.preventDefault()
          if (isDimension(dim) && value) onChange([...filters, { dim, op, value }]), setValue('')
        }}
      >
        <select aria-label="Filter dimension" value={dim} onChange={(e) => setDim(e.currentTarget.value)}>
          {Object.keys(DIMENSIONS).map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
        <select aria-label="Filter operator" value={op} onChange={(e) => setOp(e.currentTarget.value as Op)}>
          {OPS.map((o) => (
            <option key={o} value={o}>
              {OP_LABEL[o]}
            </option>
          ))}
        </select>
        <input
          aria-label="Filter value (a dimension above, or type prop:key in the list)"
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
          placeholder="value"
        />
        <button type="submit">Add filter</button>
      </form>
    </div>
  )
}
