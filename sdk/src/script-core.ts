/**
 * The core script build (`/f.core.js`): pageviews (initial and history-API navigation), custom events
 * and batching (beacon on leave; no retries, no offline hold), nothing else: `data-site` and `data-endpoint` as in `/f.js`, the same queue
 * stub and opt-out flag. It does not skip localhost or automated browsers (the edge flags bots anyway).
 */
import { on, page, safe, setup, track, type Props } from './core.ts'

safe(() => {
  const d = (document.currentScript as HTMLScriptElement).dataset
  const pending = window.footfall?.q || []
  const count = safe(page)
  const api = { track, page: count }
  window.footfall = api
  setup(d)
  for (const m of ['pushState', 'replaceState'] as const) {
    const orig = history[m]
    history[m] = (...a: Parameters<History['pushState']>) => {
      orig.apply(history, a)
      count()
    }
  }
  on('popstate', count)
  count()
  for (const args of pending as Iterable<[string, Props]>) api.track(...args)
})()
