/**
 * Engagement of each page: engaged time (the page visible and focused) and the maximum scroll depth,
 * sent as an `engagement` event when the page is left (hidden, unloaded, or replaced by an SPA
 * navigation). Each event carries the time engaged since the previous one, so a page's `engaged_ms` is the
 * sum of its engagement events and its `scroll_depth` their maximum.
 */
import { on, type Tracker } from './core.ts'

/** Starts measuring; returns the `leave` hook that reports and resets. */
export function engagement(tracker: () => Tracker | undefined): () => void {
  const d = document
  let url = location.href
  let ms = 0
  let since = 0
  let depth = 0

  const tick = () => {
    const now = Date.now()
    if (since) ms += now - since
    since = d.visibilityState == 'visible' && d.hasFocus() ? now : 0
  }
  const scroll = () => {
    const h = d.documentElement.scrollHeight
    depth = Math.max(depth, h ? Math.min(100, Math.round(((scrollY + innerHeight) / h) * 100)) : 100)
  }
  for (const type of ['focus', 'blur', 'visibilitychange', 'pageshow']) on(window, type, tick)
  on(window, 'scroll', scroll)
  tick()
  scroll()

  return () => {
    tick()
    if (ms) tracker()?.push('engagement', { url, engagedMs: ms, scrollDepth: depth })
    // Paused until the page is visible and focused again (pagehide and visibilitychange both report a
    // leave: the second must not report the milliseconds between them). A new SPA page starts at once.
    ms = since = 0
    if (url != location.href) {
      url = location.href
      depth = 0
      scroll()
      tick()
    }
  }
}
