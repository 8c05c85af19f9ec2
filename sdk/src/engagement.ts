/**
 * Engagement of each page: engaged time (the page visible and focused) and the maximum scroll depth,
 * sent as an `engagement` event when the page is left (hidden, unloaded, or replaced by an SPA
 * navigation). Each event carries the time engaged since the previous one, so a page's `engaged_ms` is the
 * sum of its engagement events and its `scroll_depth` their maximum.
 */
import { on, push } from './core.ts'

let url: string
let ms = 0
let since = 0
let depth = 0

/** Adds the time engaged since the last update, and updates the scroll depth. */
function update(): void {
  const now = Date.now()
  if (since) ms += now - since
  since = !document.hidden && document.hasFocus() ? now : 0
  depth = Math.max(depth, Math.round(((scrollY + innerHeight) * 100) / document.documentElement.scrollHeight))
}

/** Starts measuring the current page. */
export function engagement(): void {
  url = location.href
  for (const type of ['focus', 'blur', 'visibilitychange', 'scroll']) on(type, update)
  update()
}

/** The page is being left: reports what was measured since the last report, and resets. */
export function engaged(): void {
  update()
  if (ms) push('engagement', { url, engagedMs: ms, scrollDepth: Math.min(depth, 100) })
  // Paused until the page is visible and focused again (pagehide and visibilitychange both report a
  // leave: the second must not report the milliseconds between them). A new SPA page starts at once.
  ms = since = 0
  if (url != location.href) {
    url = location.href
    depth = 0
    update()
  }
}
