/**
 * Honest states, in real Chromium on the real local stack with the known dataset: each view opened by its
 * tab from the overview never shows an error (not even for a moment: every alert that ever appears is
 * recorded) and ends with no panel still "Loading…"; Realtime has no range control nor comparison; the funnel without steps
 * says what to do; a range without events says so in the properties panel instead of loading forever.
 * Screenshots of every view in light and dark at 1366 and 390 px go to test-results/screenshots/.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VIEWS } from '../../dashboard/src/state.ts'
import { launchChromium } from '../helpers/browser.ts'
import { freePort, startStack, type Stack } from '../helpers/stack.ts'
import { makeDataset, seedDataset, type Dataset } from './dataset.ts'

const SHOTS = 'test-results/screenshots'
const HOUR = 3_600_000
let stack: Stack
let browser: BrowserContext
let data: Dataset

beforeAll(async () => {
  browser = await launchChromium()
  stack = await startStack({ port: await freePort() })
  data = makeDataset(Date.now())
  await seedDataset(stack, data)
}, 180_000)
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const url = (r: { from: number; to: number }, more = '') =>
  `${stack.url}/dashboard/?range=custom&from=${new Date(r.from).toISOString()}&to=${new Date(r.to).toISOString()}${more}#token=${stack.token}`

async function settled(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=load-stats]', { timeout: 60_000 })
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { timeout: 90_000 })
}

/** Records the text of every error the page ever shows (role=alert, .error, a panel in its error state). */
async function recordErrors(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = ((window as unknown as { __errors: string[] }).__errors = [])
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[role=alert], .error, [data-state=error]')) {
        const text = `${el.closest('[data-testid]')?.getAttribute('data-testid') ?? ''}: ${el.textContent ?? ''}`
        if (!seen.includes(text)) seen.push(text)
      }
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true })
  })
}
const errors = (page: Page) => page.evaluate(() => (window as unknown as { __errors: string[] }).__errors)

describe('honest states', () => {
  it('opens each view by its tab without an error and without a panel left loading', async () => {
    const page = await browser.newPage()
    await recordErrors(page)
    const range = { from: data.from - HOUR, to: data.to + 5 * 60_000 }
    await page.goto(url(range))
    await settled(page)
    expect(await errors(page)).toEqual([])
    for (const view of [...VIEWS.filter((v) => v !== 'overview'), 'overview' as const]) {
      await page.click(`[data-testid=nav-${view}]`)
      await page.waitForSelector(`[data-testid=view-${view}]:not([data-state=loading])`, { timeout: 90_000 })
      await settled(page)
      expect([view, await errors(page)]).toEqual([view, []])
      const loading = await page.$$eval('.panel', (ps) =>
        ps.filter((p) => p.textContent?.includes('Loading…')).map((p) => p.getAttribute('data-testid')),
      )
      expect([view, loading]).toEqual([view, []])
      // Realtime is the last 30 minutes: it offers no range.
      expect([view, await page.locator('[data-testid=range]').count()]).toEqual([view, view === 'realtime' ? 0 : 1])
      expect([view, await page.locator('[data-testid=compare]').count()]).toEqual([view, view === 'realtime' ? 0 : 1])
      if (view === 'funnels') {
        expect(await page.getAttribute('[data-testid=funnel]', 'data-state')).toBe('idle')
        expect(await page.textContent('[data-testid=funnel-idle]')).toBe('Enter the steps of a funnel above, then press Show funnel.')
      }
      if (view === 'realtime')
        expect(Number((await page.textContent('[data-testid=rt-current] tbody td:nth-child(2)')) ?? 0)).toBeGreaterThan(0)
      await page.screenshot({ path: `${SHOTS}/tab-${view}.png`, fullPage: true })
    }
    await page.close()
  })

  it('shows every view in light and dark at 1366 and 390 px without an error (screenshots)', async () => {
    const range = { from: data.from - HOUR, to: data.to + 5 * 60_000 }
    for (const scheme of ['light', 'dark'] as const) {
      for (const width of [1366, 390]) {
        const page = await browser.newPage()
        await page.setViewportSize({ width, height: 900 })
        await page.emulateMedia({ colorScheme: scheme })
        await recordErrors(page)
        for (const view of VIEWS) {
          // The window's load event can take over 30 s on a busy machine: the page's own state says when it is ready.
          await page.goto(url(range, view === 'overview' ? '&compare=1' : `&view=${view}`), {
            waitUntil: 'domcontentloaded',
            timeout: 90_000,
          })
          await page.waitForSelector(`[data-testid=view-${view}]:not([data-state=loading])`, { timeout: 90_000 })
          await settled(page)
          await page.screenshot({ path: `${SHOTS}/${view}-${width}-${scheme}.png`, fullPage: true })
          // (Recorded anew on each page load.)
          expect([view, scheme, width, await errors(page)]).toEqual([view, scheme, width, []])
        }
        await page.close()
      }
    }
  }, 900_000)

  it('says a range without events has none, instead of loading forever', async () => {
    const page = await browser.newPage()
    await recordErrors(page)
    const empty = { from: data.from - 400 * 24 * HOUR, to: data.from - 399 * 24 * HOUR }
    await page.goto(url(empty))
    await settled(page)
    expect(await errors(page)).toEqual([])
    expect(await page.getAttribute('[data-testid=props]', 'data-state')).toBe('idle')
    expect(await page.textContent('[data-testid=props-idle]')).toBe('No custom events in this range.')
    expect(await page.$$eval('.panel', (ps) => ps.filter((p) => p.textContent?.includes('Loading…')).length)).toBe(0)
    expect(await page.textContent('[data-testid=kpi-pageviews]')).toBe('0')
    await page.close()
  })
})
