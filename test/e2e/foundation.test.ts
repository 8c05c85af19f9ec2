/**
 * One event, click to chart, with every real part: Chromium opens the demo page on `wrangler dev`, the
 * tracker sends, the queue consumer writes Parquet to local R2, native DuckDB reads it back, and the
 * dashboard (DuckDB-WASM in Chromium) shows the pageview.
 */
import UAParser from 'ua-parser-js'
import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/browser.ts'
import { downloadLake, listFiles } from '../helpers/lake.ts'
import { freePort, startStack, waitFor, type Stack } from '../helpers/stack.ts'

const CF = {
  country: 'NZ',
  region: 'Wellington',
  city: 'Wellington',
  continent: 'OC',
  timezone: 'Pacific/Auckland',
  asn: 9790,
  colo: 'WLG',
}

let stack: Stack
let browser: BrowserContext

beforeAll(async () => {
  browser = await launchChromium()
  stack = await startStack({ port: await freePort(), cf: CF })
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

describe('foundation: demo page -> lake -> dashboard', () => {
  let userAgent = ''

  it('stores the pageview and custom event sent by the tracker in a real browser', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${stack.url.replace('127.0.0.1', 'localhost')}/demo/`)
    userAgent = await page.evaluate(() => navigator.userAgent)
    await page.click('#add')
    await page.goto('about:blank') // leaving the page flushes the batch (pagehide)
    expect(errors).toEqual([])

    await waitFor(async () => (await listFiles(stack)).reduce((n, f) => n + f.rows, 0) >= 2, 20_000)
    const { lake, paths } = await downloadLake(stack, await listFiles(stack))
    // Leaving the page also sends its engagement event (engaged time, scroll depth): checked in test/sdk.
    const rows = await lake.run({ sql: `SELECT * FROM events WHERE type <> 'engagement' ORDER BY type DESC`, params: [] })
    expect(rows).toHaveLength(2)

    const expectedBrowser = new UAParser(userAgent).getBrowser().name
    expect(expectedBrowser).toMatch(/Chrom/)
    expect(rows[0]).toMatchObject({
      type: 'pageview',
      site: 'demo',
      path: '/demo/',
      host: 'localhost',
      title: 'Footfall demo shop',
      country: 'NZ',
      city: 'Wellington',
      asn: 9790,
      browser: expectedBrowser,
      os: 'Linux',
      device_type: 'desktop',
      // Headless Chromium is automation: stored, but flagged (the dashboard leaves bots out by default).
      is_bot: true,
      bot_reason: 'headless',
    })
    expect(rows[1]).toMatchObject({ type: 'event', name: 'add_to_cart', product_id: 'tea-01', category: 'tea', path: '/demo/' })
    expect(rows[0]!.visitor_id).toBe(rows[1]!.visitor_id)

    // Privacy: no column of any file holds the visitor's IP. The page is opened as localhost, so the
    // only way 127.0.0.1 (or ::1) could appear in a file is as the address the browser connected from.
    const everything = await Promise.all(paths.map((p) => lake.run({ sql: `SELECT * FROM read_parquet(?)`, params: [p] })))
    const text = JSON.stringify(everything)
    expect(text).toContain('localhost')
    expect(text).not.toContain('127.0.0.1')
    expect(text).not.toMatch(/(^|[^0-9a-f:])::1([^0-9a-f:]|$)/)
  })

  it('shows that pageview on the dashboard', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    // Headless Chromium is flagged as a bot, and the dashboard leaves bots out by default: include them.
    await page.goto(`${stack.url}/dashboard/?bots=1#token=${stack.token}`)
    await page.waitForSelector('[data-testid=top-pages] td', { timeout: 60_000 })
    expect(await page.textContent('[data-testid=kpi-pageviews]')).toBe('1')
    expect(await page.textContent('[data-testid=kpi-events]')).toBe('1')
    expect(await page.locator('[data-testid=top-pages] tbody tr').allTextContents()).toEqual(['/demo/11'])
    expect(errors).toEqual([])
  })

  it('asks for the token again when it is wrong', async () => {
    const page = await browser.newPage()
    await page.goto(`${stack.url}/dashboard/#token=wrong`)
    await expect(page.getByRole('alert').textContent({ timeout: 30_000 })).resolves.toContain('wrong token')
    expect(await page.locator('input[name=token]').count()).toBe(1)
  })
})
