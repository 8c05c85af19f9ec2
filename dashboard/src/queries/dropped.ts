/** The drop ledger (`dropped_raw`, loaded from /api/files?table=dropped): what the edge refused, and why. */
import { inRange, type Query, type Range } from '../../../warehouse/sql/query.ts'
import { DROP_COLUMNS } from '../../../warehouse/schema.ts'

const DUCK = { STRING: 'VARCHAR', TIMESTAMP: 'TIMESTAMP', INT32: 'INTEGER' } as const

export const createDroppedRaw = `CREATE TABLE IF NOT EXISTS dropped_raw (${DROP_COLUMNS.map(
  (c) => `"${c.name}" ${DUCK[c.type as keyof typeof DUCK]}`,
).join(', ')})`

/** Rows (reason, field, requests, events), most events first. */
export function droppedByReason(r: Range): Query {
  const w = inRange(r)
  return {
    sql: `SELECT reason, coalesce(field, '') AS field, count(*) AS requests, CAST(sum(events) AS BIGINT) AS events
FROM dropped_raw WHERE ${w.sql.replace('event_time', '"time"')} GROUP BY ALL ORDER BY events DESC, reason, field`,
    params: w.params,
  }
}

/** Rows (bot_reason, events, visitors) of events flagged as bots (stored, left out of the other views). */
export function botsByReason(r: Range): Query {
  const w = inRange(r)
  return {
    sql: `SELECT coalesce(bot_reason, '(none)') AS bot_reason, count(*) AS events, count(DISTINCT visitor_id) AS visitors
FROM events WHERE is_bot AND ${w.sql} GROUP BY ALL ORDER BY events DESC, bot_reason`,
    params: w.params,
  }
}
