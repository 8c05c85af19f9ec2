import type { DropRow, EventRow } from '../warehouse/schema.ts'

/**
 * A queue message: the enriched events of one request that fall in one lake partition (edge/enqueue.ts),
 * one enriched event (the earlier shape, still read), or one entry of the drop ledger. `journal` is the
 * message's entry in the queue journal (edge/journal.ts), when that is on.
 */
export type LakeMessage = { events: EventRow[]; journal?: string } | { event: EventRow } | { drop: DropRow }

/** Bindings and settings of the worker (see wrangler.toml). */
export interface Env {
  /** Static assets: /f.js, /dashboard/, /demo/. */
  ASSETS: Fetcher
  /** The lake: Parquet files under events/ and dropped/, daily salts under salts/, geo/country.mmdb. */
  LAKE: R2Bucket
  /**
   * Enriched events (one message per request and partition) and ledger entries, on their way to the consumer.
   * More queues, when one is not enough, are bindings EVENTS_2, EVENTS_3, ... (edge/queues.ts).
   */
  EVENTS: Queue<LakeMessage>
  /** Per (site, IP) request limit of the collector (Workers Rate Limiting binding). */
  RATE_LIMITER?: RateLimit
  /** JSON: site id -> hostnames allowed to send events for it. */
  SITES: string
  /** JSON: site id -> IANA time zone of its days in the aggregates and the dashboard (default UTC). */
  TIMEZONES?: string
  /** JSON secret: site id -> API key for server-side events (which may set each event's ip and ua). */
  SITE_KEYS?: string
  /** What to do with visitors who send Sec-GPC: 1 or DNT: 1: anonymize (default), drop or ignore. */
  PRIVACY_SIGNALS?: string
  /** Query parameters removed from stored URLs (comma-separated; click ids and utm_* by default). */
  STRIP_PARAMS?: string
  /** How long the drop ledger may buffer entries in an isolate before it sends them (ms, default 5000). */
  LEDGER_FLUSH_MS?: string
  /** `r2`: journal queue messages in R2 until written, for a queue that is not durable (edge/journal.ts). */
  QUEUE_JOURNAL?: string
  /** `on`: `POST /api/scheduled` runs the cron's jobs (local-cron.ts), for `wrangler dev`; never set in a deploy. */
  LOCAL_SCHEDULED?: string
  /** Fault injection of the reliability tests (edge/faults.ts); never set outside them. */
  FAULTS?: string
  /** Bearer token of the dashboard API (a secret). */
  DASHBOARD_TOKEN?: string
  /** Key of signed lake URLs (`/api/files?signed=1`), a secret; derived from DASHBOARD_TOKEN when unset. */
  SIGNING_KEY?: string
}
