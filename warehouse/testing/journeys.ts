/**
 * Hand-made lakes whose answers are counted by hand in the tests that use them: the places where readers
 * could disagree with each other (a visit longer than a day, one event id in two sites) and the journeys of
 * customers across days. Day D = 2026-01-10 (UTC), as in `shop.ts`.
 */
import type { EventRow } from '../schema.ts'
import { eventRow } from './rows.ts'
import { at } from './shop.ts'

/** A visitor id as the edge makes them: 32 hex digits (the aggregate tier's sketch reads their bits). */
export const hex = (c: string) => c.repeat(32).slice(0, 32)

const MINUTE = 60_000

/** The duration of `longVisit()`: D 22:00 to D+2 00:00. */
export const LONG_VISIT_MS = 26 * 60 * MINUTE

/**
 * One visitor active for 26 hours without a 30-minute gap: a pageview every 20 minutes from D 22:00 to
 * D+2 00:00 (79 pageviews), the visitor id rotating with the salt at each UTC midnight as the edge does
 * (`visitor_id_prev` on the events of the first 30 minutes). One visit of 26 hours, in day D; none in D+1.
 * Each hour is its own list (a part file).
 */
export function longVisit(): EventRow[][] {
  const ids = [hex('1'), hex('2'), hex('3')] // D, D+1, D+2
  const hours = new Map<number, EventRow[]>()
  for (let i = 0; i <= 78; i++) {
    const t = at(0, 22) + i * 20 * MINUTE
    const day = Math.floor((t - at(0, 0)) / (24 * 60 * MINUTE))
    const sinceMidnight = t - at(day, 0)
    const row = eventRow({
      event_id: `long${String(i).padStart(3, '0')}`, event_time: t, client_time: t, received_time: t + 40,
      visitor_id: ids[day]!, visitor_id_prev: day > 0 && sinceMidnight < 30 * MINUTE ? ids[day - 1]! : null,
      path: `/p${i % 5}`, url: `https://shop.example/p${i % 5}`, country: 'DE', device_type: 'desktop', browser: 'Firefox', os: 'Linux',
    })
    const hour = Math.floor(t / (60 * MINUTE))
    hours.set(hour, [...(hours.get(hour) ?? []), row])
  }
  return [...hours.values()]
}
