/** Reaching an overview breakdown in the page: a grouped one is shown by its tab (dashboard/src/panel-groups.ts). */
import type { Page } from 'playwright-core'
import { groupOf } from '../../dashboard/src/panel-groups.ts'

/** Opens the tab of breakdown `testid` if its group shows another, and waits until no panel is busy. */
export async function openPanel(page: Page, testid: string): Promise<void> {
  if (!groupOf(testid) || (await page.$(`[data-testid="${testid}"]`))) return
  await page.click(`[data-testid="tab-${testid}"]`)
  await page.waitForSelector(`[data-testid="${testid}"]`)
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { timeout: 60_000 })
}
