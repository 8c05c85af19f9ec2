/**
 * The default script-tag build (`/f.js`):
 *   <script defer src="https://stats.example.com/f.js" data-site="shop"></script>
 * Configured by the tag's data- attributes (README, "Tracker"). Calls made before it loads are kept by the
 * queue stub and replayed:
 *   window.footfall = window.footfall || { q: [], track() { this.q.push(arguments) } }
 */
import { safe } from './core.ts'
import { start, type Api, type Props } from './start.ts'

declare global {
  interface Window {
    footfall?: Partial<Api> & { q?: ArrayLike<unknown>[] }
  }
}

safe(() => {
  const s = document.currentScript as HTMLScriptElement
  const d = s.dataset
  if (!d.site) return
  const has = (k: string) => k in d
  const on = (k: string) => d[k] != 'off'
  const pending = window.footfall?.q || []
  const api = start({
    site: d.site!,
    endpoint: d.endpoint || new URL('/e', s.src).href,
    spa: d.spa as 'history',
    exclude: d.exclude?.split(','),
    clicks: on('clicks'),
    outbound: on('outbound'),
    downloads: on('downloads'),
    persist: has('persist'),
    respectDnt: has('respectDnt'),
    localhost: has('localhost'),
    automation: has('automation'),
  })
  window.footfall = api
  for (const args of Array.from(pending)) api.track(...(Array.from(args) as [string, Props]))
})()
