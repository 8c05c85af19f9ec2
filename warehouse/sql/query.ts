/**
 * The one way SQL is built in Footfall: a `Query` is SQL text plus its positional parameters (`?`).
 * Values (a user's filter, a path, a time, a size) only ever become parameters; SQL text only ever comes
 * from this library's own constants and allow-lists (`dimensions.ts`). `sql` below is the audited
 * composition function: every interpolated value becomes a `?`, every interpolated `Query` is spliced in
 * with its parameters in order.
 */

/** A value bound to a `?`. */
export type Param = string | number | boolean

/** A SQL statement and its positional parameters (`?`). Values a user chose are always parameters. */
export interface Query {
  sql: string
  params: Param[]
}

/** A time range, inclusive, as epoch milliseconds. */
export interface Range {
  from: number
  to: number
}

const isQuery = (v: unknown): v is Query => typeof v === 'object' && v !== null && 'sql' in v && 'params' in v

/**
 * Tagged template: values become `?` parameters, nested `Query` fragments are spliced in order.
 * @example sql`SELECT * FROM events WHERE path = ${userPath} AND ${inRange(r)}`
 */
export function sql(strings: TemplateStringsArray, ...values: (Param | Query)[]): Query {
  let text = strings[0]!
  const params: Param[] = []
  values.forEach((v, i) => {
    if (isQuery(v)) {
      text += v.sql
      params.push(...v.params)
    } else {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`not a finite number: ${v}`)
      text += '?'
      params.push(v)
    }
    text += strings[i + 1]!
  })
  return { sql: text, params }
}

/**
 * A constant SQL fragment of this library (never user input): an allow-listed expression or keyword.
 * Kept in one place so a reviewer can find every spot where text, not a value, enters SQL.
 */
export function trusted(text: string): Query {
  return { sql: text, params: [] }
}

/** Joins fragments with a separator (`, `, ` AND `). */
export function join(parts: Query[], sep: string): Query {
  return { sql: parts.map((p) => p.sql).join(sep), params: parts.flatMap((p) => p.params) }
}

/** An integer parameter. Both engines then agree on its type (a bare JS number may bind as DOUBLE). */
export function int(n: number): Query {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`)
  return sql`CAST(${n} AS BIGINT)`
}

/** A time parameter: epoch ms as a zone-less TIMESTAMP (the lake stores UTC). */
export function ts(ms: number): Query {
  return sql`CAST(${iso(ms)} AS TIMESTAMP)`
}

/** The range condition on event_time, as SQL and parameters (ISO strings cast to TIMESTAMP). */
export function inRange(r: Range, column = 'event_time'): Query {
  return sql`${trusted(column)} BETWEEN ${ts(r.from)} AND ${ts(r.to)}`
}

/** ISO 8601 without the zone: DuckDB's TIMESTAMP is zone-less and the lake stores UTC. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '')
}

/**
 * A SQL string literal, for the few statements that cannot take parameters (DDL such as `CREATE VIEW`
 * over a file list, `COPY ... TO`). The one escape of the library: quotes doubled, NUL refused.
 */
export function literal(s: string): Query {
  if (s.includes('\0')) throw new Error('NUL in a SQL literal')
  return trusted(`'${s.replaceAll("'", "''")}'`)
}

/**
 * A query's text with its parameters written in as literals, for statements that cannot take parameters
 * (`CREATE VIEW`, `CREATE TABLE ... AS`) built from this library's own queries: strings through `literal`,
 * numbers and booleans as written by JS.
 */
export function inlined(q: Query): string {
  let at = 0
  const out = q.sql.replace(/\?/g, () => {
    const v = q.params[at++]
    if (v === undefined) throw new Error('more ? than parameters')
    return typeof v === 'string' ? literal(v).sql : String(v)
  })
  if (at !== q.params.length) throw new Error('more parameters than ?')
  return out
}
