/**
 * The core script build (`/f.core.js`): pageviews (initial and history-API navigation), custom events
 * and batching (with retries), nothing else: `data-site` and `data-endpoint` as in `/f.js`, the same queue
 * stub and opt-out flag. It does not skip localhost or automated browsers (the edge flags bots anyway).
 */
import { createTracker, on, safe, type Props } from './core.ts'

safe(() => {
  const s = document.currentScript as HTMLScriptElement
  const d = s.dataset
  // No localhost/automation guards here (the default build has them): the edge flags bots either way.
  if (!d.site) return
  const t = createTracker({ site: d.site, endpoint: d.endpoint || new URL('/e', s.src).href })
  const page = safe(() => t.page())
  const pending = window.footfall?.q || []
  const track = safe((name: string, props?: Props) => t.track(name, props))
  window.footfall = { track, page }
  for (const m of ['pushState', 'replaceState'] as const) {
    const orig = history[m]
    history[m] = function (this: History, ...a: Parameters<History['pushState']>) {
      orig.apply(this, a)
      page()
    }
  }
  on(window, 'popstate', page)
  page()
  for (const args of Array.from(pending)) track(...(Array.from(args) as [string, Props]))
})()
