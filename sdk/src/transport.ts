/**
 * Sends one batch. `text/plain` is a CORS "simple" content type: no preflight, and sendBeacon accepts it.
 * sendBeacon survives page unload; where it is missing or refuses (payload quota), fetch with keepalive
 * does the same job.
 */
export function send(endpoint: string, body: string): void {
  try {
    if (navigator.sendBeacon?.(endpoint, new Blob([body], { type: 'text/plain' }))) return
  } catch {
    // fall through to fetch
  }
  fetch(endpoint, { method: 'POST', body, keepalive: true, headers: { 'Content-Type': 'text/plain' } }).catch(() => {})
}
