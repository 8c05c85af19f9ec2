import type { EventRow } from '../../warehouse/schema.ts'

export type Source = Pick<
  EventRow,
  | 'url'
  | 'host'
  | 'path'
  | 'referrer'
  | 'referrer_host'
  | 'channel'
  | 'click_id'
  | 'utm_source'
  | 'utm_medium'
  | 'utm_campaign'
  | 'utm_term'
  | 'utm_content'
>

/** Ad click ids: their presence marks paid traffic; their values identify a person and are never kept. */
const CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'dclid', 'fbclid', 'msclkid', 'ttclid', 'twclid', 'li_fat_id', 'yclid']
const PAID_CLICK_IDS = new Set(['gclid', 'gbraid', 'wbraid', 'dclid', 'msclkid', 'yclid'])
/** Removed from stored URLs by default: click ids, UTM fields (kept in their own columns), mail ids. */
export const DEFAULT_STRIP = [
  ...CLICK_IDS,
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'utm_id',
  'mc_eid',
  '_ga',
  '_gl',
]

const SEARCH = /(^|\.)(google|bing|duckduckgo|yahoo|yandex|baidu|ecosia|qwant|startpage|search\.brave)\./
const SOCIAL = /(^|\.)(facebook|instagram|t\.co|twitter|x\.com|linkedin|lnkd\.in|reddit|pinterest|tiktok|youtube|mastodon|threads|bsky)\b/
const PAID_MEDIUM = /^(cpc|ppc|paid|paidsearch|paid_search|paid_social|display|cpm|banner)$/i
const EMAIL_MEDIUM = /^(e-?mail|newsletter)$/i
const SOCIAL_MEDIUM = /^(social|social-network|social-media|sm)$/i

/**
 * Host, path, normalised URL, referrer host, UTM fields, click id and the marketing channel.
 * @param strip query parameters removed from the stored URL
 */
export function sourceOf(pageUrl: string, referrer: string | undefined, strip: readonly string[] = DEFAULT_STRIP): Source {
  const page = new URL(pageUrl)
  // Only a literal "?" starts a query and only a "#" a fragment: without them the URL has neither, and the
  // ~30 URLSearchParams calls below (each a call into the runtime, each delete re-serialising the URL) can
  // be skipped, leaving the same result. Most pageviews carry no query (bench/cpu.mjs: ~10 us an event).
  const q = pageUrl.includes('?') ? page.searchParams : null
  const ref = parseUrl(referrer)
  // A referrer on the page's own host is in-site navigation, not a source: stored as no referrer at all, so the
  // referrer, its host and the channel all read as a direct visit and the site's own pages never list as
  // referrers. Decided here only: the collector and the generator's backfill both enrich through this function.
  const self = ref !== null && ref.hostname === page.hostname
  const refHost = ref && !self ? ref.hostname : null
  const utm = (k: string) => q?.get(`utm_${k}`)?.slice(0, 200) || null
  const medium = utm('medium')
  const clickId = (q && CLICK_IDS.find((k) => q.has(k))) ?? null
  const channel = channelOf(refHost, medium, clickId)
  const hashRoute = page.hash.startsWith('#/') ? page.hash : '' // SPA hash routing: the route is the page
  const source = {
    host: page.hostname,
    path: page.pathname + hashRoute,
    referrer: self ? null : referrer || null,
    referrer_host: refHost,
    channel,
    click_id: clickId,
    utm_source: utm('source'),
    utm_medium: medium,
    utm_campaign: utm('campaign'),
    utm_term: utm('term'),
    utm_content: utm('content'),
  }
  if (q) for (const k of strip) q.delete(k)
  if (pageUrl.includes('#')) page.hash = hashRoute // in-page anchors are not part of the page
  return { url: page.href, ...source }
}

function channelOf(refHost: string | null, medium: string | null, clickId: string | null): string {
  if ((medium && PAID_MEDIUM.test(medium)) || (clickId && PAID_CLICK_IDS.has(clickId))) return 'paid'
  if (medium && EMAIL_MEDIUM.test(medium)) return 'email'
  if ((medium && SOCIAL_MEDIUM.test(medium)) || (refHost && SOCIAL.test(refHost)) || clickId) return 'social'
  if (!refHost) return 'direct'
  if (SEARCH.test(refHost)) return 'search'
  return 'referral'
}

function parseUrl(s: string | undefined): URL | null {
  if (!s) return null
  try {
    return new URL(s)
  } catch {
    return null
  }
}
