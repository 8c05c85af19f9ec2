/**
 * The drop ledger: every event the collector refuses or drops is counted here with its reason, and the
 * counts reach the lake (`dropped/...`) through the same queue as the events.
 *
 * A flood of bad requests must not become a flood of queue messages, so entries are summed per
 * (site, reason, field, detail) in the isolate, at most MAX_KEYS_PER_WINDOW distinct ones (plus one overflow row per site and reason) and sent at most every LEDGER_FLUSH_MS (default 5 s),
 * from `waitUntil` of the request that started the window. Counts in a window are lost only if the
 * runtime kills the isolate before that flush (it keeps it alive for waitUntil up to 30 s).
 */
import type { DropReason, DropRow } from '../warehouse/schema.ts'
import type { Env, LakeMessage } from './env.ts'

const MAX_DETAIL = 300
const MAX_ENTRIES = 500 // one sendBatch is at most 100 messages: flush early past this
/**
 * Distinct (site, reason, field, detail) rows a window may hold: past it, entries are counted under their
 * (site, reason) with the detail OVERFLOW, so whatever varies in the refused requests, a window sends a
 * bounded number of rows and every event is still counted once.
 */
export const MAX_KEYS_PER_WINDOW = 100
export const OVERFLOW_DETAIL = '(other details: more than the ledger keeps apart in one window)'
const pending = new Map<string, DropRow>()
let flushing: Promise<void> | undefined

export interface Drop {
  site: string | null // null when the site id itself was refused or unreadable
  reason: DropReason
  field?: string | null
  detail?: string | null
  events: number
}

/** Counts dropped events; schedules the flush on `ctx`. */
export function recordDrops(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, drops: Drop[], now = Date.now()): void {
  for (const d of drops) {
    if (d.events <= 0) continue
    const row: DropRow = {
      time: now,
      site: d.site ?? '_unknown',
      reason: d.reason,
      field: d.field?.slice(0, 100) ?? null,
      detail: d.detail?.slice(0, MAX_DETAIL) ?? null,
      events: d.events,
    }
    let key = `${row.site}\n${row.reason}\n${row.field}\n${row.detail}`
    if (!pending.has(key) && pending.size >= MAX_KEYS_PER_WINDOW) {
      key = `${row.site}\n${row.reason}\n\n${OVERFLOW_DETAIL}`
      Object.assign(row, { field: null, detail: OVERFLOW_DETAIL })
    }
    const seen = pending.get(key)
    if (seen) seen.events += row.events
    else pending.set(key, row)
  }
  if (!pending.size) return
  const wait = pending.size > MAX_ENTRIES ? 0 : Number(env.LEDGER_FLUSH_MS ?? 5000)
  if (!flushing || wait === 0) ctx.waitUntil((flushing = flushAfter(env, wait)))
}

async function flushAfter(env: Env, ms: number): Promise<void> {
  if (ms > 0) await new Promise((r) => setTimeout(r, ms))
  const rows = [...pending.values()]
  pending.clear()
  flushing = undefined
  for (let i = 0; i < rows.length; i += 100) {
    const messages = rows.slice(i, i + 100).map((drop): MessageSendRequest<LakeMessage> => ({ body: { drop }, contentType: 'json' }))
    try {
      await env.EVENTS.sendBatch(messages)
    } catch (e) {
      console.error(`drop ledger: ${messages.length} entries not sent`, (e as Error).message)
    }
  }
}
