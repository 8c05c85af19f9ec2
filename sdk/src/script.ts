/**
 * The script-tag build (`/f.js`):
 *   <script defer src="https://stats.example.com/f.js" data-site="shop"></script>
 * Calls made before it loads are kept by the stub `window.footfall = window.footfall || {q: []}` pattern:
 *   window.footfall = window.footfall || { q: [], track() { this.q.push(arguments) } }
 */
import { createTracker, type Props } from './core.ts'

type Call = [name: string, props?: Props]
declare global {
  interface Window {
    footfall?: { q?: ArrayLike<unknown>[]; track: (name: string, props?: Props) => void }
  }
}

const script = document.currentScript as HTMLScriptElement | null
const site = script?.dataset.site
if (script && site) {
  const endpoint = script.dataset.endpoint || new URL('/e', script.src).href
  const tracker = createTracker({ site, endpoint })
  const pending = window.footfall?.q ?? []
  window.footfall = { track: tracker.track }
  tracker.page()
  for (const args of Array.from(pending)) tracker.track(...(Array.from(args) as Call))
}
