/**
 * The public types of the tracker (ESM package and `window.footfall`). Kept free of the wire types so the
 * package's declarations stand alone (no zod); `core.ts` checks that `Props` fits the wire.
 */

/** Event properties: flat, string/number/boolean/null values (`revenue` + `currency` are revenue). */
export type Props = Record<string, string | number | boolean | null>

export interface Options {
  /** Site id, as configured in the worker's SITES. */
  site: string
  /** URL of the collector, e.g. `https://stats.example.com/e`. */
  endpoint: string
  /** Single-page app navigation: `history` (pushState/replaceState/popstate, default), `hash` (hash routes are pages too), `off`. */
  spa?: 'history' | 'hash' | 'off'
  /** Path patterns on which nothing is tracked; `*` matches any characters, e.g. `/admin/*`. */
  exclude?: string[]
  /** Clicks on `data-ff-event` elements (default true). */
  clicks?: boolean
  /** Clicks on links to other hosts, as event "outbound" (default true). */
  outbound?: boolean
  /** Clicks on links to files, as event "download" (default true). */
  download?: boolean
  /** Keep unsent events in localStorage (at most 100) when the page is left offline; sent from the next page. */
  persist?: boolean
  /** Track nothing when the browser sends Do Not Track (Global Privacy Control's `Sec-GPC` header is honoured by the collector: PRIVACY_SIGNALS). */
  respectDnt?: boolean
  /** Track on localhost, 127.0.0.1 and file: pages too (ignored by default). */
  localhost?: boolean
  /** Track automated browsers too (`navigator.webdriver`; ignored by default). */
  automation?: boolean
}

/** The public API, the same in the script tag (`window.footfall`) and the ESM package. */
export interface Api {
  /** Sends a custom event. Revenue: `track('purchase', { revenue: 42.5, currency: 'EUR' })`. */
  track(name: string, props?: Props): void
  /** Counts a pageview of the current URL (not counted again while the URL does not change). */
  page(): void
  /** Names the visitor with your own user id for the following events of this page; traits go as props. */
  identify(userId: string, traits?: Props): void
  /** Sends the queued events now. */
  flush(): void
}
