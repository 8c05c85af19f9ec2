/**
 * The one rule for copies of an event. Queues deliver at least once and a tracker resends a batch it got no
 * answer for, so the same event can reach the lake more than once, in one queue batch or in several files.
 * Per site and event id (ids are the sender's: two sites may use the same one, server-side events carry
 * their own), the copy **received first** is kept: the consumer within a batch, compaction across files, the
 * aggregate tier reading a day, and every reader (the `events` view of `sql/ddl.ts`, the dashboard) apply it.
 * Copies received in the same millisecond are the same request's (a redelivered queue message): identical,
 * so which one is met first does not matter.
 */

/** Whether a copy received at `candidate` replaces the one kept so far, received at `kept`. */
export function receivedEarlier(candidate: number, kept: number): boolean {
  return candidate < kept
}

/** The key a copy is the same event by, in TypeScript: site and event id. */
export const copyKey = (site: string, eventId: string) => `${site}\u0000${eventId}`

/** The copies of one event, first received first, as a SQL window (over rows of the lake's columns). */
export const FIRST_COPY_ORDER = 'PARTITION BY site, event_id ORDER BY received_time'

/** The rule in SQL, over rows of the lake's columns: true for the one copy kept. */
export const FIRST_COPY_SQL = `row_number() OVER (${FIRST_COPY_ORDER}) = 1`
