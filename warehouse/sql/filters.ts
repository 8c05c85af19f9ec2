/**
 * Filters the dashboard and the CLI apply to any query: `is`, `is not`, `contains` on an allowed
 * dimension. The dimension is checked against the allow-list; the values are parameters.
 */
import { dimension, type Dimension } from './dimensions.ts'
import { join, sql, trusted, type Query } from './query.ts'

export type FilterOp = 'is' | 'is_not' | 'contains'

export interface Filter {
  dim: Dimension
  op: FilterOp
  /** One value, or several (any of them matches; for `is_not`, none of them). */
  value: string | string[]
}

/**
 * One condition per filter, joined by AND; `TRUE` when there is none.
 * `is not` keeps rows where the dimension is null (an unknown country is "not DE").
 * `contains` is case-insensitive and literal (no wildcards: `%` and `_` match themselves).
 * @example where([{ dim: 'country', op: 'is', value: 'DE' }]) // { sql: '(country IN (?))', params: ['DE'] }
 */
export function where(filters: readonly Filter[] = [], table = ''): Query {
  if (!filters.length) return trusted('TRUE')
  return join(
    filters.map((f) => condition(f, table)),
    ' AND ',
  )
}

function condition(f: Filter, table: string): Query {
  const d = dimension(f.dim, table)
  const values = Array.isArray(f.value) ? f.value : [f.value]
  if (!values.length) throw new Error(`filter on ${f.dim} has no value`)
  const list = join(
    values.map((v) => sql`${String(v)}`),
    ', ',
  )
  switch (f.op) {
    case 'is':
      return sql`(${d} IN (${list}))`
    case 'is_not':
      return sql`(${d} IS NULL OR ${d} NOT IN (${list}))`
    case 'contains':
      return sql`(${join(
        values.map((v) => sql`contains(lower(${d}), lower(${String(v)}))`),
        ' OR ',
      )})`
    default:
      throw new Error(`unknown filter operator: ${JSON.stringify((f as Filter).op)}`)
  }
}

/** Parses `dim=value`, `dim!=value`, `dim~value` (the CLI's and the URL's short form). */
export function parseFilter(text: string): Filter {
  const m = /^([\w:$@. -]+?)(!=|~|=)(.*)$/s.exec(text)
  if (!m) throw new Error(`filter must look like dim=value, dim!=value or dim~value: ${text}`)
  const op: FilterOp = m[2] === '=' ? 'is' : m[2] === '!=' ? 'is_not' : 'contains'
  return { dim: m[1]!.trim() as Dimension, op, value: m[3]! }
}
