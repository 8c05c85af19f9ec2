/** The dashboard in real Chromium for the input scenarios: a page that records CSP violations, dialogs and errors. */
import type { BrowserContext, Page } from 'playwright-core'
import type { Stack } from '../../helpers/stack.ts'

export interface Watched {
  page: Page
  /** `securitypolicyviolation` events of the document: "directive blocked-uri". */
  violations: () => Promise<string[]>
  dialogs: string[]
  errors: string[]
}

/** A new page that records CSP violations (from the first script on), dialogs and uncaught errors. */
export async function watchedPage(browser: BrowserContext): Promise<Watched> {
  const page = await browser.newPage()
  const dialogs: string[] = []
  const errors: string[] = []
  page.on('dialog', (d) => (dialogs.push(`${d.type()}: ${d.message()}`), void d.dismiss()))
  page.on('pageerror', (e) => errors.push(e.message))
  await page.addInitScript(() => {
    const seen: string[] = ((window as unknown as { __violations: string[] }).__violations = [])
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`))
  })
  return { page, dialogs, errors, violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations) }
}

/** The dashboard URL of a custom range, signed in. */
export function dashboardUrl(stack: Stack, from: number, to: number, extra = ''): string {
  return `${stack.url}/dashboard/?range=custom&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}${extra}#token=${stack.token}`
}

/** Waits until the dashboard has loaded and no panel has a query in flight. */
export async function settled(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=load-stats]', { timeout: 60_000 })
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { timeout: 60_000 })
}

/** The cells of a panel's table, as text. */
export async function tableRows(page: Page, testid: string): Promise<string[][]> {
  return page.$$eval(`[data-testid="${testid}"] tbody tr`, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  )
}
