/**
 * Everything the default script build and the ESM package do, from one options object: the privacy
 * guards, pageviews (initial, SPA, bfcache, prerender), clicks, engagement, and the public API.
 */
import { createTracker, safe, on, type Tracker } from './core.ts'
import { clicks } from './clicks.ts'
import type { Api, Options, Props } from './types.ts'
import { engagement } from './engagement.ts'

export type { Api, Options, Props }

/** Starts tracking; returns the API (inert when a guard says not to track). */
export function start(o: Options): Api {
  let t: Tracker | undefined
  const n = navigator as Navigator & { globalPrivacyControl?: boolean }
  const l = location
  if (
    !(o.respectDnt && (n.doNotTrack == '1' || n.globalPrivacyControl)) &&
    (o.localhost || !/^(localhost|127\.|\[::1\]$)|^$/.test(l.hostname)) &&
    (o.automation || !n.webdriver)
  ) {
    const leave = engagement(() => t)
    const exclude = o.exclude?.length
      ? RegExp(`^(${o.exclude.map((p) => p.trim().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')).join('|')})$`)
      : undefined
    const tracker = (t = createTracker({ ...o, exclude, hash: o.spa == 'hash', leave }))
    const page = safe(() => tracker.page())
    if (o.spa != 'off') {
      const h = history
      for (const m of ['pushState', 'replaceState'] as const) {
        const orig = h[m]
        h[m] = function (this: History, ...a: Parameters<History['pushState']>) {
          orig.apply(this, a)
          page()
        }
      }
      on(window, 'popstate', page)
      if (o.spa == 'hash') on(window, 'hashchange', page)
    }
    // A page restored from the back/forward cache is a new view of it.
    on(window, 'pageshow', (e: PageTransitionEvent) => e.persisted && tracker.page(true))
    clicks(tracker, o)
    // A prerendered page counts only once the visitor actually sees it.
    const d = document as Document & { prerendering?: boolean }
    d.prerendering ? on(d, 'prerenderingchange', page) : page()
  }
  const api = {} as Record<keyof Api, unknown>
  for (const k of ["track", "page", "identify", "flush"] as const) api[k] = safe((...a: [string, Props]) => void (t?.[k] as (...a: unknown[]) => void)(...a))
  return api as Api
}
