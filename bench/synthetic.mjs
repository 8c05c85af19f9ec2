// @ts-check
// The synthetic lake of bench:query and bench:dashboard: sessions of a visitor (1-8 events 0-10 minutes
// apart, one in five after the first a custom event) over 7 days from 2026-01-01, deterministic for a
// given event count (mulberry32 seeded with it), so every run benchmarks the same lake.

export const DAY = 86_400_000,
  MIN = 60_000
export const START = Date.UTC(2026, 0, 1)
export const DAYS = 7
const PATHS = Array.from({ length: 60 }, (_, i) => (i === 0 ? '/' : `/products/item-${i}`))
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'NL', 'ES', 'IT', 'CA', 'BR', 'JP', 'IN', 'PL']
const DEVICES = ['desktop', 'mobile', 'tablet']
const BROWSERS = ['Chrome', 'Safari', 'Firefox', 'Edge']
const CHANNELS = ['direct', 'search', 'social', 'referral', 'email']

/** @param {number} seed */
function rng(seed) {
  return () => {
    seed |= 0
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Yields the lake rows of `n` events in arrays of at most `perFile`. `visitor(pick)` adds columns of a
 * session's visitor (drawn with the same random sequence, right after its channel).
 * @param {number} n
 * @param {number} perFile
 * @param {(pick: <T>(a: readonly T[]) => T) => Record<string, unknown>} [visitor]
 */
export function* syntheticRows(n, perFile, visitor = () => ({})) {
  const rand = rng(n)
  /** @type {<T>(a: readonly T[]) => T} */
  const pick = (a) => /** @type {any} */ (a[Math.floor(rand() * a.length)])
  const visitors = Math.max(1, Math.floor(n / 12))
  let made = 0,
    id = 0
  while (made < n) {
    const rows = []
    while (rows.length < perFile && made + rows.length < n) {
      const v = Math.floor(rand() * visitors)
      const who = {
        visitor_id: `v${v}`,
        country: COUNTRIES[v % COUNTRIES.length],
        device_type: DEVICES[v % 3],
        browser: BROWSERS[v % 4],
        channel: pick(CHANNELS),
        ...visitor(pick),
      }
      let t = START + Math.floor(rand() * DAYS * DAY)
      const len = 1 + Math.floor(rand() * 8)
      for (let k = 0; k < len && rows.length < perFile && made + rows.length < n; k++) {
        const path = pick(PATHS)
        const type = k > 0 && rand() < 0.2 ? 'event' : 'pageview'
        rows.push({
          event_id: `e${(id++).toString(36)}`,
          site: 'demo',
          type,
          name: type === 'event' ? pick(['add_to_cart', 'signup', 'purchase']) : null,
          event_time: t,
          client_time: t,
          received_time: t + 40,
          visitor_id_prev: null,
          user_id: null,
          url: `https://shop.example${path}`,
          host: 'shop.example',
          path,
          title: null,
          referrer: null,
          referrer_host: null,
          utm_source: null,
          utm_medium: null,
          utm_campaign: null,
          utm_term: null,
          utm_content: null,
          click_id: null,
          props: type === 'event' ? { plan: pick(['free', 'pro']) } : null,
          product_id: null,
          category: path === '/' ? null : `c${path.length % 7}`,
          revenue: null,
          currency: null,
          element_tag: null,
          element_text: null,
          element_href: null,
          engaged_ms: null,
          scroll_depth: null,
          screen: null,
          language: 'en',
          region: null,
          city: null,
          continent: null,
          timezone: null,
          asn: null,
          colo: null,
          browser_version: null,
          os: null,
          os_version: null,
          device_vendor: null,
          device_model: null,
          is_bot: false,
          bot_reason: null,
          ...who,
        })
        t += Math.floor(rand() * 10 * MIN)
      }
    }
    yield rows
    made += rows.length
  }
}
