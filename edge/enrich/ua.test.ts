import { describe, expect, it } from 'vitest'
import { botReason } from './bot.ts'
import { agentFrom } from './ua.ts'

// Real user-agent strings, as browsers and bots send them.
const CORPUS = [
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    { browser: 'Chrome', os: 'Windows', device_type: 'desktop' },
    null,
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
    { browser: 'Safari', os: 'Mac OS', device_type: 'desktop' },
    null,
  ],
  [
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
    { browser: 'Firefox', os: 'Ubuntu', device_type: 'desktop' },
    null,
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87',
    { browser: 'Edge', os: 'Windows', device_type: 'desktop' },
    null,
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    { browser: 'Mobile Safari', os: 'iOS', device_type: 'mobile', device_vendor: 'Apple', device_model: 'iPhone' },
    null,
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36',
    { browser: 'Chrome', os: 'Android', device_type: 'mobile', device_vendor: 'Samsung', device_model: 'SM-S918B' },
    null,
  ],
  [
    'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    { browser: 'Mobile Safari', os: 'iOS', device_type: 'tablet', device_vendor: 'Apple', device_model: 'iPad' },
    null,
  ],
  [
    'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    { browser: 'Chrome', os: 'Android', device_type: 'tablet', device_vendor: 'Samsung' },
    null,
  ],
  ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', {}, 'user-agent'],
  ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', {}, 'user-agent'],
  ['Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)', {}, 'user-agent'],
  ['curl/8.5.0', {}, 'user-agent'],
  ['python-requests/2.32.3', {}, 'user-agent'],
  [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
    { browser: 'Chrome Headless', os: 'Linux' },
    'headless',
  ],
  ['', { browser: null, os: null, device_type: null }, 'no-user-agent'],
] as const

describe('user agent', () => {
  it.each(CORPUS)('%s', (ua, agent, bot) => {
    expect(agentFrom(ua)).toMatchObject(agent)
    expect(botReason(ua)).toBe(bot)
  })

  it("trusts Cloudflare's verified bot category above the user agent", () => {
    const cf = { verifiedBotCategory: 'Search Engine Crawler' } as unknown as IncomingRequestCfProperties
    expect(botReason(CORPUS[0][0], cf)).toBe('verified:Search Engine Crawler')
  })
})
