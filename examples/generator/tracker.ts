/**
 * A visit's events as the tracker (sdk/src/core.ts) sends them: the requests it makes and when. `live` sends
 * one batch per page (the page's events as one request); `npm run cost` (bench/cost.mjs) needs the requests
 * the real tracker makes, because each one is a Worker request and a queue message.
 *
 * The tracker's rules, as core.ts has them (its numbers imported from sdk/src/batching.ts):
 *   - an event is queued; the queue is flushed BATCH_DELAY_MS (10 s) after the first event queued into it
 *     (a `fetch`), or at once when FLUSH_AT (10) wait;
 *   - leaving the page (pagehide / visibilitychange hidden) queues the page's `engagement` event and flushes
 *     everything queued by `sendBeacon`: a page left within 10 s is one request;
 *   - a request carries at most MAX_PER_REQUEST (20) events.
 * The model (model.ts) times a product click before the dwell on the page it leaves; a click on a link
 * leaves the page at once, so here the click travels with the leave (its engagement), as in a browser.
 */
import { BATCH_DELAY_MS, FLUSH_AT, MAX_PER_REQUEST } from '../../sdk/src/batching.ts'
import type { WireEvent } from '../../warehouse/wire.ts'

export interface TrackerRequest {
  /** Client time the request is sent (epoch ms, the model's clock). */
  at: number
  /** `sendBeacon` on leaving the page, else `fetch` from the batch timer. */
  beacon: boolean
  events: WireEvent[]
}

/** `delayMs`: the batch timer's delay (the tracker's, unless a bench asks what another would send). */
export function trackerRequests(visit: WireEvent[], delayMs = BATCH_DELAY_MS): TrackerRequest[] {
  // A click that leaves the page is sent with that page's leave: the next engagement (or pageview, for a bot).
  const events = visit.map((e) => ({ e, t: e.ts }))
  for (let i = 0; i < events.length; i++) {
    if (events[i]!.e.type !== 'event' || events[i]!.e.name !== 'product_click') continue
    const leave = events.slice(i + 1).find((x) => x.e.type === 'engagement' || x.e.type === 'pageview')
    if (leave) events[i]!.t = leave.e.type === 'engagement' ? leave.t - 1 : leave.t - 2
  }
  events.sort((a, b) => a.t - b.t)

  const out: TrackerRequest[] = []
  const queue: WireEvent[] = []
  let due: number | null = null
  const flush = (at: number, beacon: boolean) => {
    due = null
    while (queue.length) out.push({ at, beacon, events: queue.splice(0, MAX_PER_REQUEST) })
  }
  for (const { e, t } of events) {
    if (due !== null && due <= t) flush(due, false)
    // A new page: the previous one was left (its beacon carries what waits; a bot page has no engagement).
    if (e.type === 'pageview' && queue.length) flush(t - 1, true)
    queue.push(e)
    if (e.type === 'engagement') flush(t, true)
    else if (queue.length >= FLUSH_AT) flush(t, false)
    else if (due === null) due = t + delayMs
  }
  // The end of a visit without a leave event (a bot's last page): the timer sends what waits.
  if (queue.length) flush(due ?? events.at(-1)!.t, due === null)
  return out
}
