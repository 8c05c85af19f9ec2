import { isbot } from 'isbot'

// A few user agents make most traffic, and a request's events share one: the regex checks below cost
// ~5 us an event (bench/cpu.mjs), a cached answer nothing. Bounded: cleared when full, long agents not kept.
const CACHE_SIZE = 1_000
const CACHE_MAX_CHARS = 512
const cache = new Map<string, string | null>()

/**
 * Why a request looks automated, or null. Bots are stored flagged (is_bot, bot_reason) and left out of
 * the dashboard by default, so a wrong guess hides an event without losing it.
 */
export function botReason(userAgent: string, cf?: IncomingRequestCfProperties): string | null {
  // Cloudflare's verified bots (search engines, monitors) are known with certainty.
  const verified = (cf as { verifiedBotCategory?: string } | undefined)?.verifiedBotCategory
  if (verified) return `verified:${verified}`
  let reason = cache.get(userAgent)
  if (reason === undefined) {
    reason = agentReason(userAgent)
    if (userAgent.length <= CACHE_MAX_CHARS) {
      if (cache.size >= CACHE_SIZE) cache.clear()
      cache.set(userAgent, reason)
    }
  }
  return reason
}

function agentReason(userAgent: string): string | null {
  if (!userAgent) return 'no-user-agent'
  if (/HeadlessChrome|PhantomJS|Electron\/|puppeteer|playwright/i.test(userAgent)) return 'headless'
  if (isbot(userAgent)) return 'user-agent'
  return null
}
