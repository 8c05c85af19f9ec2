/**
 * Engagement of each page: engaged time (the page visible and focused) and the maximum scroll depth,
 * sent as an `engagement` event when the page is left (hidden, unloaded, or replaced by an SPA
 * navigation). Each event carries the time engaged since the previous one, so a page's `engaged_ms` is the
 * sum of its engagement events and its `scroll_depth` their maximum.
 */
import { current, push } from './core.ts'

let ms = 0
let since = 0
let depth = 0

/** Adds the time engaged since the last update, and updates the scroll depth. */
export function update(): void {
  ms += since && Date.now() - since
  // A document with focus is visible: a hidden one (another tab, minimised) has lost the focus too.
  since = +document.hasFocus() && Date.now()
  depth = Math.max(depth, (((scrollY + innerHeight) * 100) / document.documentElement.scrollHeight + 0.5) | 0)
}

/** A new page is counted: measures it from now on. */
export function begin(): void {
  depth = 0
  update()
}

/** The page is being left: reports what was measured since the last report, and resets. */
export function engaged(): void {
  update()
  if (ms) push('engagement', { url: current!, engagedMs: ms, scrollDepth: Math.min(depth, 100) })
  // Paused until the page is visible and focused again (pagehide and visibilitychange both report a
  // leave: the second must not report the milliseconds between them). A new page starts at once (begin).
  ms = since = 0
}
