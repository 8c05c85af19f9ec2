// @ts-check
// The collector benches' request (bench/ingest.mjs over HTTP, bench/cpu.mjs inside workerd): a fresh batch of
// 3 events (pageview, custom event with props, engagement) from a browser, from one of 10,000 client IPs.

export const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

let seq = 0
/** The JSON body of one request: new event ids each time. */
export function body() {
  const now = Date.now()
  const id = () => `b${(seq++).toString(36)}-${Math.random().toString(36).slice(2, 10)}`
  const url = `http://localhost/products/tea-${seq % 50}`
  return JSON.stringify({
    site: 'demo',
    sentAt: now,
    events: [
      { id: id(), type: 'pageview', ts: now - 30, url, referrer: 'https://www.google.com/', title: 'Green tea' },
      {
        id: id(),
        type: 'event',
        name: 'add_to_cart',
        ts: now - 20,
        url,
        props: { product_id: 'tea-01', category: 'tea', revenue: 12.5, currency: 'EUR' },
      },
      { id: id(), type: 'engagement', ts: now - 10, url, engagedMs: 5400, scrollDepth: 80 },
    ],
  })
}

/** A client IP (never stored: the worker keeps only a keyed hash). */
export const ip = () => `198.51.${(Math.random() * 40) | 0}.${(Math.random() * 250) | 0}`
