/**
 * The default script-tag build (`/f.js`):
 *   <script defer src="https://stats.example.com/f.js" data-site="shop"></script>
 * Configured by the tag's data- attributes (README, "Tracker"). Calls made before it loads are kept by the
 * queue stub and replayed:
 *   window.footfall = window.footfall || { q: [], track() { this.q.push(arguments) } }
 */
import { api, start, type Api, type Props } from './start.ts'

declare global {
  interface Window {
    footfall?: Partial<Api> & { q?: Iterable<unknown> }
  }
}

try {
  const d = (document.currentScript as HTMLScriptElement).dataset
  const pending = window.footfall?.q
  window.footfall = api
  // The tag's dataset is the configuration (core.ts, Config).
  if (d.site) start(d)
  // Last: without a stub (no pending calls) this loop throws, which the catch below ends quietly.
  for (const args of pending as Iterable<[string, Props]>) api.track(...args)
} catch {}
