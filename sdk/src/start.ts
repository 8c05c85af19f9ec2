/**
 * Everything the default script build and the ESM package do, from one options object: the privacy
 * guards, pageviews (initial, SPA, bfcache, prerender), clicks, engagement, and the public API.
 */
import { flush, identify, on, page, restored, safe, setup, track, type Config } from './core.ts'
import { click } from './clicks.ts'
import { update } from './engagement.ts'
import type { Api, Props } from './types.ts'

export type { Api, Props }

/** The public API: never throws (track, identify and flush end in safe functions), inert until (and unless) `start` set the tracker up. */
export const api: Api = {
  track,
  page: safe(page),
  identify,
  flush,
}

/**
 * Starts tracking unless a guard says not to (Do Not Track when respected, localhost, automation).
 * Global Privacy Control needs no check here: browsers that set it send `Sec-GPC: 1`, which the edge honours
 * (edge/privacy.ts, PRIVACY_SIGNALS).
 */
export function start(o: Config): void {
  if (
    ('respectDnt' in o && navigator.doNotTrack == '1') ||
    (!('localhost' in o) && /^(localhost|127\.|\[::1]|$)/.test(location.host)) ||
    (!('automation' in o) && navigator.webdriver)
  )
    return
  setup(o)
  // Engagement (engagement.ts): focus, blur and scrolling update it (a page shown again gets the focus
  // event too; hidden, it is left: setup's visibilitychange listener reports it).
  ;['focus', 'blur', 'scroll'].map((t) => on(t, update))
  if (o.spa != 'off') {
    // popstate: back/forward, and every fragment navigation (before its hashchange), so hash routes need no
    // hashchange listener. In history mode a hash change keeps the page's key (not counted).
    on('popstate', page)
    ;(['pushState', 'replaceState'] as const).map((m) => {
      const orig = history[m]
      history[m] = (...a: Parameters<History['pushState']>) => {
        orig.apply(history, a)
        page() // cannot throw (push is safe) into the site's own history call
      }
    })
  }
  on('pageshow', restored)
  on('click', click)
  on('auxclick', click)
  // A prerendered page counts only once the visitor actually sees it.
  ;(document as Document & { prerendering?: boolean }).prerendering ? on('prerenderingchange', page) : page()
}
