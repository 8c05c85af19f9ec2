import type { EventRow } from '../../warehouse/schema.ts'

export type Source = Pick<
  EventRow,
  | 'host' | 'path' | 'referrer' | 'referrer_host' | 'channel'
  | 'utm_source' | 'utm_medium' | 'utm_campaign' | 'utm_term' | 'utm_content'
>

const SEARCH = /(^|\.)(google|bing|duckduckgo|yahoo|yandex|baidu|ecosia|qwant|startpage|search\.brave)\./
const SOCIAL = /(^|\.)(facebook|instagram|t\.co|twitter|x\.com|linkedin|lnkd\.in|reddit|pinterest|tiktok|youtube|mastodon|threads|bsky)\b/
const PAID_MEDIUM = /^(cpc|ppc|paid|paidsearch|display|cpm|paid_social)$/i

/** Host, path, referrer host, UTM fields and the marketing channel of a page view. */
export function sourceOf(pageUrl: string, referrer: string | undefined): Source {
  const page = new URL(pageUrl)
  const q = page.searchParams
  const ref = parseUrl(referrer)
  const refHost = ref && ref.hostname !== page.hostname ? ref.hostname : null
  const utm = (k: string) => q.get(`utm_${k}`) || null
  const medium = utm('medium')
  return {
    host: page.hostname,
    path: page.pathname,
    referrer: referrer || null,
    referrer_host: refHost,
    channel: channelOf(refHost, medium, q),
    utm_source: utm('source'),
    utm_medium: medium,
    utm_campaign: utm('campaign'),
    utm_term: utm('term'),
    utm_content: utm('content'),
  }
}

function channelOf(refHost: string | null, medium: string | null, q: URLSearchParams): string {
  if ((medium && PAID_MEDIUM.test(medium)) || q.has('gclid') || q.has('msclkid')) return 'paid'
  if (medium && /e-?mail|newsletter/i.test(medium)) return 'email'
  if (!refHost) return 'direct'
  if (SEARCH.test(refHost)) return 'search'
  if (SOCIAL.test(refHost)) return 'social'
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
