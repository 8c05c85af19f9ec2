import type { EventRow } from '../warehouse/schema.ts'

/** Bindings and settings of the worker (see wrangler.toml). */
export interface Env {
  /** Static assets: /f.js, /dashboard/, /demo/. */
  ASSETS: Fetcher
  /** The lake: Parquet files under events/, daily salts under salts/. */
  LAKE: R2Bucket
  /** Enriched events on their way to the consumer, one event per message. */
  EVENTS: Queue<EventRow>
  /** JSON: site id -> hostnames allowed to send events for it. */
  SITES: string
  /** Bearer token of the dashboard API (a secret). */
  DASHBOARD_TOKEN?: string
}
