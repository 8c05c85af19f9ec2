/** A SQL statement and its positional parameters (`?`). Values a user chose are always parameters. */
export interface Query {
  sql: string
  params: (string | number | boolean)[]
}

/** A time range, inclusive, as epoch milliseconds. */
export interface Range {
  from: number
  to: number
}

/** The range condition on event_time, as SQL and parameters (ISO strings cast to TIMESTAMP). */
export function inRange(r: Range): Query {
  return {
    sql: `event_time BETWEEN CAST(? AS TIMESTAMP) AND CAST(? AS TIMESTAMP)`,
    params: [iso(r.from), iso(r.to)],
  }
}

/** ISO 8601 without the zone: DuckDB's TIMESTAMP is zone-less and the lake stores UTC. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '')
}
