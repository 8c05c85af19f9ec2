/**
 * Dimensions a query may group or filter by: an allow-list of column expressions, never free SQL.
 * `prop:<key>` reads one custom property from the `props` JSON text. DuckDB-WASM has no JSON functions
 * offline (the json extension, like parquet, would be downloaded), so props are read with a regular
 * expression on the text the writer produced (`JSON.stringify` of a flat object: strings, numbers,
 * booleans, null). The key is bound as a parameter, never spliced.
 */
import { sql, trusted, type Query } from './query.ts'

/** Event columns that can be grouped or filtered by. */
export const DIMENSIONS = {
  type: 'type',
  name: 'name',
  path: 'path',
  host: 'host',
  url: 'url',
  title: 'title',
  referrer: 'referrer',
  referrer_host: 'referrer_host',
  channel: 'channel',
  utm_source: 'utm_source',
  utm_medium: 'utm_medium',
  utm_campaign: 'utm_campaign',
  utm_term: 'utm_term',
  utm_content: 'utm_content',
  click_id: 'click_id',
  country: 'country',
  region: 'region',
  city: 'city',
  continent: 'continent',
  timezone: 'timezone',
  language: 'language',
  browser: 'browser',
  browser_version: 'browser_version',
  os: 'os',
  os_version: 'os_version',
  device_type: 'device_type',
  device_vendor: 'device_vendor',
  device_model: 'device_model',
  screen: 'screen',
  product_id: 'product_id',
  category: 'category',
  currency: 'currency',
  element_tag: 'element_tag',
  element_text: 'element_text',
  element_href: 'element_href',
  user_id: 'user_id',
  bot_reason: 'bot_reason',
} as const

export type Column = keyof typeof DIMENSIONS
/** A column of the allow-list, or one custom property (`prop:size`). */
export type Dimension = Column | `prop:${string}`

const PROP_KEY = /^[\w$@ .:-]{1,100}$/
/** PROP_KEY for SQL's regexp_full_match (RE2: `\w` is ASCII there too). */
export const PROP_KEY_RE = '[\\w$@ .:-]{1,100}'

/** True if `d` names an allowed dimension (use it to check input from a URL or a command line). */
export function isDimension(d: string): d is Dimension {
  return Object.hasOwn(DIMENSIONS, d) || (d.startsWith('prop:') && PROP_KEY.test(d.slice(5)))
}

/**
 * The SQL expression of a dimension (a VARCHAR). Throws for anything outside the allow-list.
 * @example dimension('country') // { sql: 'country', params: [] }
 */
export function dimension(d: Dimension, table = ''): Query {
  if (!isDimension(d)) throw new Error(`unknown dimension: ${JSON.stringify(d)}`)
  const col = (c: string) => trusted(table ? `${table}.${c}` : c)
  if (!d.startsWith('prop:')) return col(DIMENSIONS[d as Column])
  return prop(d.slice(5), col('props'))
}

/** Regex-escapes text for RE2. */
const reEscape = (s: string) => s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')

/**
 * One property of a props JSON text, as VARCHAR (a string without its quotes; numbers and booleans as
 * written; null when absent, JSON null or empty). Escaped quotes, backslashes and slashes inside strings are
 * read back; other escapes (control characters) are left as written. `[{,]` before the key keeps an escaped `\"key\":` inside a
 * string value from matching.
 */
export function prop(key: string, props: Query = trusted('props')): Query {
  return propValue(sql`regexp_extract(${props}, ${`[{,]${reEscape(propKey(key))}:${VALUE}`}, 1)`)
}

/** A property key as written in the JSON text (with its quotes); throws for a key no dimension can name. */
export function propKey(key: string): string {
  if (!PROP_KEY.test(key)) throw new Error(`bad property key: ${JSON.stringify(key)}`)
  return JSON.stringify(key)
}

/** A property's value as written in the JSON text: a string with its quotes, or a number, boolean or null. */
const VALUE = '("(?:[^"\\\\]|\\\\.)*"|[^,}]*)'
/** Every `"key":value` pair of a props text, left to right: the key with its quotes (group 1), the value (2). */
export const PROP_PAIR_RE = `[{,]("(?:[^"\\\\]|\\\\.)*"):${VALUE}`

/**
 * A property's value as `prop` reads it, from the value as written (`VALUE`; '' or NULL when absent).
 * JSON null and an empty string read as NULL; one pair of quotes is removed. Then `\"`, `\\` and `\/` are
 * read back as the characters they escape (one pass, left to right, so `\\"` stays right): a value with
 * quotes or backslashes reads as sent. Control characters stay escaped.
 */
export function propValue(written: Query): Query {
  const text = sql`regexp_replace(${written}, '^"(.*)"$', '\\1', 's')`
  return sql`nullif(nullif(regexp_replace(${text}, '\\\\(["\\\\/])', '\\1', 'g'), ''), 'null')`
}
