/**
 * Everything the default script build and the ESM package do, from one options object: the privacy
 * guards, pageviews (initial, SPA, bfcache, prerender), clicks, engagement, and the public API.
 */
import { flush, identify, on, page, safe, setup, track, type Config } from './core.ts'
import { clicks } from './clicks.ts'
import { engagement } from './engagement.ts'
import type { Api, Props } from './types.ts'

export type { Api, Props }

/** The public API: never throws, inert until (and unless) `start` set the tracker up. */
export const api: Api = {
  track: safe(track),
  page: safe(page),
  identify: safe(identify),
  flush: safe(flush),
}

/** Starts tracking unless a guard says not to (Do Not Track when respected, localhost, automation). */
export function start(o: Config, endpoint: string): void {
  const n = navigator as Navigator & { globalPrivacyControl?: boolean }
  if (
    ('respectDnt' in o && (n.doNotTrack == '1' || n.globalPrivacyControl)) ||
    (!('localhost' in o) && /^(localhost|127\.|\[::1\]$)|^$/.test(location.hostname)) ||
    (!('automation' in o) && n.webdriver)
  )
    return
  setup(o, endpoint)
  engagement()
  const count = safe(page)
  if (o.spa != 'off') {
    for (const m of ['pushState', 'replaceState'] as const) {
      const orig = history[m]
      history[m] = (...a: Parameters<History['pushState']>) => {
        orig.apply(history, a)
        count()
      }
    }
    on('popstate', count)
    if (o.spa == 'hash') on('hashchange', count)
  }
  // A page restored from the back/forward cache is a new view of it.
  on('pageshow', (e: PageTransitionEvent) => e.persisted && page(true))
  clicks(o)
  // A prerendered page counts only once the visitor actually sees it.
  const d = document as Document & { prerendering?: boolean }
  d.prerendering ? on('prerenderingchange', count) : count()
}
