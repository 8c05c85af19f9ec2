/**
 * The ESM package, built from the same core as the script tag:
 *
 * @example
 * import { init, track, identify } from 'footfall'
 * init({ site: 'shop', endpoint: 'https://stats.example.com/e' })
 * track('signup', { plan: 'pro' })
 *
 * Calls before `init` do nothing; a second `init` is ignored.
 */
import { safe } from './core.ts'
import { config } from './options.ts'
import { api, start } from './start.ts'
import type { Api, Options, Props } from './types.ts'

export type { Api, Options, Props }

let started = false

/** Starts tracking (pageviews, SPA navigation, clicks, engagement) with the given options. */
export function init(options: Options): void {
  if (!started) safe(start)(config(options))
  started = true
}

/** Sends a custom event; `props.revenue` (number) and `props.currency` record revenue. */
export const track: (name: string, props?: Props) => void = api.track
/** Counts a pageview of the current URL (automatic unless `spa: 'off'`). */
export const page: () => void = api.page
/** Names the visitor with your own user id; traits go as props of an `identify` event. */
export const identify: (userId: string, traits?: Props) => void = api.identify
/** Sends the queued events now. */
export const flush: () => void = api.flush
