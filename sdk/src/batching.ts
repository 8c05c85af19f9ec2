/**
 * When the tracker sends what it queued (core.ts), and so how many requests a pageview costs: every request
 * is a Worker request and a queue message, 3 billed queue operations (README, "What it costs"). Imported by
 * the generator's model of the tracker's requests (examples/generator/tracker.ts), which the cost run sends.
 * (esbuild inlines these into the builds: no byte is spent on the names.)
 */

/**
 * A batch is sent this long after its first event was queued, unless the page is left first (the leave's
 * beacon then carries it). 10 s and not 1 s: a page left within 10 s sends its pageview, clicks and
 * engagement as one request instead of two (the model's visits: 1.84 requests a pageview instead of 2.01),
 * while the pageview of a visitor who stays still reaches the lake within 10 s, inside the dashboard's 15 s
 * realtime poll.
 */
export const BATCH_DELAY_MS = 10_000

/** A batch is sent at once when this many events wait. */
export const FLUSH_AT = 10

/** Events a request carries at most (the wire allows 100 and 64 KB). */
export const MAX_PER_REQUEST = 20
