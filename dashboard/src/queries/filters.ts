/**
 * The dashboard's view of the lake as SQL: a time range, filters (dimension is / is not / contains) and
 * the bot switch, turned into one WHERE clause. Dimensions come from a fixed list (their SQL is ours);
 * the values a user chose are always bound as parameters (warehouse/sql/query.ts), never pasted.
 */
import { inRange, type Query, type Range } from '../../../warehouse/sql/query.ts'

/** Filterable dimensions: URL name -> SQL expression over `events` (a missing value reads "(none)"). */
export const DIMENSIONS = {
  page: 'path',
  host: 'host',
  event: 'name',
  source: 'referrer_host',
  referrer: 'referrer',
  channel: 'channel',
  utm_source: 'utm_source',
  utm_medium: 'utm_medium',
  utm_campaign: 'utm_campaign',
  utm_term: 'utm_term',
  utm_content: 'utm_content',
  country: 'country',
  region: 'region',
  city: 'city',
  device: 'device_type',
  browser: 'browser',
  os: 'os',
  category: 'category',
  language: 'language',
} as const
export type Dimension = keyof typeof DIMENSIONS

export const OPS = ['is', 'is_not', 'contains'] as const
export type Op = (typeof OPS)[number]

export interface Filter {
  dim: Dimension
  op: Op
  value: string
}

/** What every panel is computed over. */
export interface Scope {
  range: Range
  filters: Filter[]
  /** Include events flagged as bots (left out by default). */
  bots: boolean
}

export const NONE = '(none)'

/** The SQL of a dimension, with missing values as "(none)". */
export function dimSql(d: Dimension): string {
  return `coalesce(CAST(${DIMENSIONS[d]} AS VARCHAR), '${NONE}')`
}

export function isDimension(d: string): d is Dimension {
  return Object.hasOwn(DIMENSIONS, d)
}

/** WHERE clause (without the keyword) of a scope: range, bots, filters. */
export function where(s: Scope): Query {
  const r = inRange(s.range)
  const parts = [r.sql]
  const params = [...r.params]
  if (!s.bots) parts.push('NOT is_bot')
  for (const f of s.filters) {
    if (!isDimension(f.dim)) throw new Error(`unknown dimension ${f.dim}`)
    const col = dimSql(f.dim)
    if (f.op === 'is') parts.push(`${col} = ?`)
    else if (f.op === 'is_not') parts.push(`${col} <> ?`)
    else if (f.op === 'contains') parts.push(`contains(lower(${col}), lower(?))`)
    else throw new Error(`unknown operator ${String(f.op)}`)
    params.push(f.value)
  }
  return { sql: parts.join(' AND '), params }
}

/**
 * The text of one property of a props JSON column, the key bound as the one parameter (`?`). DuckDB-WASM
 * would download its json extension from a CDN for json_extract, so this reads the writer's compact JSON
 * (flat object, scalar values) with core regular expressions: `"key":value`, quotes removed, null as NULL.
 */
export function propValueSql(col: string): string {
  const token = `regexp_extract(${col}, '"' || regexp_escape(?) || '":("(?:[^"\\\\]|\\\\.)*"|[^,}]*)', 1)`
  return `nullif(nullif(regexp_replace(${token}, '^"(.*)"$', '\\1'), 'null'), '')`
}

/** The property keys of a props JSON column, as a list (same reading as propValueSql). */
export function propKeysSql(col: string): string {
  return `regexp_extract_all(${col}, '"((?:[^"\\\\]|\\\\.)*)":', 1)`
}
