import { isbot } from 'isbot'

/**
 * Why a request looks automated, or null. Bots are stored flagged (is_bot, bot_reason) and left out of
 * the dashboard by default, so a wrong guess hides an event without losing it.
 */
export function botReason(userAgent: string, cf?: IncomingRequestCfProperties): string | null {
  // Cloudflare's verified bots (search engines, monitors) are known with certainty.
  const verified = (cf as { verifiedBotCategory?: string } | undefined)?.verifiedBotCategory
  if (verified) return `verified:${verified}`
  if (!userAgent) return 'no-user-agent'
  if (/HeadlessChrome|PhantomJS|Electron\/|puppeteer|playwright/i.test(userAgent)) return 'headless'
  if (isbot(userAgent)) return 'user-agent'
  return null
}
