/**
 * What the simulated visitors are made of: real user-agent strings, IP blocks by country (each /16 is
 * mapped to its country by the geo database the edge uses, geo-whois-asn-country: see world.test.ts),
 * referrers, campaigns and the shop's catalogue.
 */
import catalog from '../shop/catalog.json' with { type: 'json' }

export type Device = 'desktop' | 'mobile' | 'tablet' | 'bot'

export interface Product {
  id: string
  category: string
  name: string
  price: number
}
export const PRODUCTS: readonly Product[] = catalog.products
export const CATEGORIES: readonly { id: string; name: string }[] = catalog.categories
export const CURRENCY = catalog.currency

/** User agents as browsers and crawlers send them, with a rough share within their device class. */
export const USER_AGENTS: Record<Device, readonly (readonly [number, string])[]> = {
  desktop: [
    [30, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
    [
      10,
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
    ],
    [8, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'],
    [14, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
    [12, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15'],
    [3, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0'],
    [3, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
    [2, 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'],
  ],
  mobile: [
    [
      30,
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    ],
    [
      8,
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
    ],
    [20, 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.104 Mobile Safari/537.36'],
    [10, 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.104 Mobile Safari/537.36'],
    [
      6,
      'Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
    ],
    [5, 'Mozilla/5.0 (Linux; Android 14; 23078PND5G) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.104 Mobile Safari/537.36'],
    [3, 'Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0'],
  ],
  tablet: [
    [10, 'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1'],
    [4, 'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
    [2, 'Mozilla/5.0 (Linux; Android 12; Lenovo TB-J606F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
  ],
  bot: [
    [5, 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
    [3, 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
    [2, 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)'],
    [1, 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)'],
    [1, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36'],
  ],
}

export const DEVICES: readonly (readonly [number, Device])[] = [
  [46, 'desktop'],
  [42, 'mobile'],
  [8, 'tablet'],
  [4, 'bot'],
]

export const SCREENS: Record<Device, readonly string[]> = {
  desktop: ['1920x1080', '1536x864', '2560x1440', '1440x900', '1366x768'],
  mobile: ['390x844', '393x873', '412x915', '375x667', '430x932'],
  tablet: ['820x1180', '768x1024', '800x1280'],
  bot: ['1024x768'],
}

/** A country's share of the shop's visitors, its language and /16 blocks of its addresses. */
export interface Country {
  code: string
  weight: number
  language: string
  blocks: readonly string[]
}
export const COUNTRIES: readonly Country[] = [
  { code: 'US', weight: 22, language: 'en-US', blocks: ['2.0', '3.3', '3.12'] },
  { code: 'DE', weight: 14, language: 'de-DE', blocks: ['2.30', '2.162', '2.165'] },
  { code: 'GB', weight: 10, language: 'en-GB', blocks: ['1.186', '2.96', '2.99'] },
  { code: 'FR', weight: 7, language: 'fr-FR', blocks: ['2.3', '2.6', '2.9'] },
  { code: 'NL', weight: 5, language: 'nl-NL', blocks: ['2.153', '4.180', '13.81'] },
  { code: 'ES', weight: 4, language: 'es-ES', blocks: ['2.138', '2.141', '5.225'] },
  { code: 'IT', weight: 4, language: 'it-IT', blocks: ['2.33', '2.36', '2.39'] },
  { code: 'SE', weight: 2, language: 'sv-SE', blocks: ['2.66', '2.69', '2.249'] },
  { code: 'PL', weight: 2, language: 'pl-PL', blocks: ['31.0', '31.60', '31.63'] },
  { code: 'CH', weight: 2, language: 'de-CH', blocks: ['16.18', '16.63', '31.165'] },
  { code: 'CA', weight: 4, language: 'en-CA', blocks: ['3.96', '3.99', '4.174'] },
  { code: 'BR', weight: 3, language: 'pt-BR', blocks: ['4.201', '4.228', '15.228'] },
  { code: 'MX', weight: 2, language: 'es-MX', blocks: ['78.12', '78.15', '148.201'] },
  { code: 'AR', weight: 1, language: 'es-AR', blocks: ['152.168', '152.171', '167.252'] },
  { code: 'JP', weight: 4, language: 'ja-JP', blocks: ['1.33', '1.66', '1.72'] },
  { code: 'KR', weight: 1, language: 'ko-KR', blocks: ['1.18', '1.96', '1.99'] },
  { code: 'IN', weight: 3, language: 'en-IN', blocks: ['1.6', '1.39', '3.6'] },
  { code: 'AU', weight: 3, language: 'en-AU', blocks: ['1.42', '1.120', '1.123'] },
  { code: 'NZ', weight: 1, language: 'en-NZ', blocks: ['3.102', '27.252', '47.72'] },
  { code: 'SG', weight: 1, language: 'en-SG', blocks: ['3.0', '5.222', '8.129'] },
  { code: 'ZA', weight: 1, language: 'en-ZA', blocks: ['4.168', '4.222', '13.246'] },
  { code: 'NG', weight: 1, language: 'en-NG', blocks: ['102.90', '102.93', '105.114'] },
  { code: 'KE', weight: 1, language: 'en-KE', blocks: ['41.81', '41.90', '102.0'] },
  { code: 'TR', weight: 1, language: 'tr-TR', blocks: ['5.24', '5.27', '5.177'] },
  { code: 'VN', weight: 1, language: 'vi-VN', blocks: ['1.54', '14.162', '14.165'] },
]

/** Where a session comes from. `url` query parameters are added to the landing page's URL. */
export interface Source {
  weight: number
  referrer?: string
  query?: Record<string, string>
}
export const SOURCES: readonly Source[] = [
  { weight: 34 }, // direct: typed, bookmarked, or the referrer was stripped
  { weight: 16, referrer: 'https://www.google.com/' },
  { weight: 4, referrer: 'https://www.bing.com/' },
  { weight: 3, referrer: 'https://duckduckgo.com/' },
  { weight: 1, referrer: 'https://www.ecosia.org/' },
  { weight: 4, referrer: 'https://www.instagram.com/' },
  { weight: 3, referrer: 'https://l.facebook.com/' },
  { weight: 2, referrer: 'https://www.reddit.com/r/tea/' },
  { weight: 2, referrer: 'https://t.co/' },
  { weight: 3, referrer: 'https://www.teaforum.example/threads/best-sencha' },
  { weight: 2, referrer: 'https://coffeeblog.example/reviews/pour-over' },
  { weight: 5, query: { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'weekly' } },
  { weight: 2, query: { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring_sale' } },
  {
    weight: 7,
    referrer: 'https://www.google.com/',
    query: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand', gclid: 'Cj0KCQ' },
  },
  {
    weight: 4,
    referrer: 'https://www.google.com/',
    query: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring_sale', utm_term: 'green tea', gclid: 'Cj0KCQ' },
  },
  {
    weight: 3,
    referrer: 'https://www.instagram.com/',
    query: { utm_source: 'instagram', utm_medium: 'paid_social', utm_campaign: 'teaware_launch', fbclid: 'IwAR2' },
  },
  { weight: 2, query: { utm_source: 'partner', utm_medium: 'referral', utm_campaign: 'affiliate', utm_content: 'banner_a' } },
]

export const TIERS: readonly (readonly [number, string])[] = [
  [70, 'free'],
  [22, 'plus'],
  [8, 'pro'],
]
