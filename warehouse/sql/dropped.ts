/** The drop ledger (`dropped_raw`, loaded from /api/files?table=dropped) and the stored bot traffic. */
import { DROP_COLUMNS } from '../schema.ts'
import { inRange, sql, type Query, type Range } from './query.ts'

const DUCK = { STRING: 'VARCHAR', TIMESTAMP: 'TIMESTAMP', INT32: 'INTEGER' } as const

export const createDroppedRaw = `CREATE TABLE IF NOT EXISTS dropped_raw (${DROP_COLUMNS.map(
  (c) => `"${c.name}" ${DUCK[c.type as keyof typeof DUCK]}`,
).join(', ')})`

/** Rows (reason, field, requests, events): what the edge refused or dropped, most events first. */
export function droppedByReason(r: Range): Query {
  return sql`SELECT reason, coalesce(field, '') AS field, count(*) AS requests, CAST(sum(events) AS BIGINT) AS events
FROM dropped_raw WHERE ${inRange(r, '"time"')} GROUP BY ALL ORDER BY events DESC, reason, field`
}

/** Rows (bot_reason, events, visitors): events flagged as bots (stored, left out of the other views). */
export function botsByReason(r: Range): Query {
  return sql`SELECT coalesce(bot_reason, '(none)') AS bot_reason, count(*) AS events, count(DISTINCT visitor_id) AS visitors
FROM events WHERE is_bot AND ${inRange(r)} GROUP BY ALL ORDER BY events DESC, bot_reason`
}
