/**
 * How a batch travels. The body is a string, so `sendBeacon` and `fetch` both send it as
 * `text/plain;charset=UTF-8`: a CORS "simple" request, no preflight.
 */

/**
 * Sends one batch. Leaving the page: `sendBeacon`, which outlives the page (no outcome, so no retry: it is
 * the last chance). Otherwise, or when the beacon is refused (its 64 KB quota is shared with keepalive
 * fetches): `fetch` with keepalive, which survives a navigation that starts meanwhile and tells the outcome.
 * `done(ms)`: -1 when the batch is finished (2xx, or a 4xx that a retry cannot fix); else retry after `ms`
 * (the `Retry-After` header) or, when 0/NaN, after a backoff. Retried: network errors, 5xx and 429. The
 * answer's body is never read, so garbage cannot hurt.
 */
export function send(endpoint: string, body: string, leaving: boolean | undefined, done?: (ms: number) => void): void {
  if (!(leaving && navigator.sendBeacon(endpoint, body))) {
    const sent = fetch(endpoint, { method: 'POST', body, keepalive: true })
    // The core build does not retry: a failed batch is dropped (quietly).
    FOOTFALL_LITE
      ? sent.catch(() => {})
      : sent.then((r) => done!(r.status == 429 || r.status > 499 ? +r.headers.get('Retry-After')! * 1e3 : -1), () => done!(0))
  }
}
