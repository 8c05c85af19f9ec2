/**
 * The tracker (script tag, real Chromium) against a real worker whose queue refuses every second send of
 * events (`FAULTS` queueRefuse: 2, edge/faults.ts): the collector answers those requests 503 with
 * Retry-After, as it does when Cloudflare's queue refuses. A refused batch is not lost: the tracker sends it
 * again after Retry-After while the page is open, or with the leave's beacon when the page is left first,
 * and each event lands once (raw rows, duplicates included). What it cannot do is see a beacon's own answer
 * (README, "Tracker").
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/browser.ts'
import { freePort } from '../helpers/stack.ts'
import { startDevStack, type DevStack } from '../reliability/support/stack-dev.ts'
import { LakeReader } from './lake-reader.ts'
import { startFixtures, type FixtureServer } from './server.ts'

let stack: DevStack
let browser: BrowserContext
let site: FixtureServer
let lake: LakeReader

beforeAll(async () => {
  stack = await startDevStack({ FAULTS: JSON.stringify({ queueRefuse: 2 }) })
  ;[browser, site, lake] = await Promise.all([launchChromium(), startFixtures(stack.url, await freePort()), LakeReader.open(stack)])
})
afterAll(async () => {
  await browser?.close()
  await site?.close()
  await stack?.dispose()
})

/** The tracker's page of `run`, with the statuses the collector answered it, in order. */
async function open(run: string): Promise<{ page: Page; statuses: number[]; errors: string[] }> {
  const page = await browser.newPage()
  const statuses: number[] = []
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('response', (r) => r.url().endsWith('/e') && statuses.push(r.status()))
  await page.goto(`${site.url}/${run}/page.html?mode=script`)
  await page.waitForFunction(() => typeof (window as any).footfall?.page === 'function')
  return { page, statuses, errors }
}

/** Queues `name` and sends it now (the batch timer's flush, without its wait); resolves with the answer's status. */
async function sendNow(page: Page, statuses: number[], name: string): Promise<number> {
  const n = statuses.length
  await page.evaluate((x) => ((window as any).footfall.track(x), (window as any).footfall.flush()), name)
  await expect.poll(() => statuses.length, { timeout: 15_000 }).toBeGreaterThan(n)
  return statuses[n]!
}

const count = (rows: Record<string, unknown>[], name: string) => rows.filter((r) => r.name === name).length

describe('tracker against a worker whose queue refuses', () => {
  it('sends a refused batch again after Retry-After, and every event lands once', async () => {
    const r = 'refused-open'
    const { page, statuses, errors } = await open(r)
    const names = ['a', 'b', 'c', 'd'].map((x) => `open_${x}`)
    const first: number[] = []
    for (const name of names) first.push(await sendNow(page, statuses, name))
    expect(first).toContain(503) // every second send of events is refused
    expect(first).toContain(202)
    // The refused ones go again after the collector's Retry-After (5 s), alternately refused and accepted.
    const rows = await lake.waitRows(
      r,
      (rows) => names.every((n) => count(rows, n) >= 1) && rows.some((x) => x.type === 'pageview'),
      60_000,
    )
    await new Promise((res) => setTimeout(res, 3000)) // a duplicate would land in the next consumer batch
    const after = await lake.rows(r)
    expect(names.map((n) => count(after, n))).toEqual([1, 1, 1, 1])
    expect(after.filter((x) => x.type === 'pageview')).toHaveLength(1)
    expect(rows.length).toBeGreaterThanOrEqual(5)
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(first.filter((s) => s === 503).length)
    expect(errors).toEqual([])
    await page.close()
  })

  it('sends a batch refused just before the page is left with the leave, once', async () => {
    const r = 'refused-leave'
    const { page, statuses, errors } = await open(r)
    // Sends until one is refused (every second send is): that batch waits for its retry (5 s) ...
    let refused = ''
    for (let i = 0; i < 3 && !refused; i++) if ((await sendNow(page, statuses, `leave_${i}`)) === 503) refused = `leave_${i}`
    expect(refused).not.toBe('')
    // ... but the page is left first: the beacon carries it (the next send, accepted).
    await page.click('#internal')
    await page.waitForURL(/landing/)
    await lake.waitRows(r, (rows) => count(rows, refused) >= 1 && rows.some((x) => x.type === 'engagement'), 30_000)
    await new Promise((res) => setTimeout(res, 3000))
    const rows = await lake.rows(r)
    expect(count(rows, refused)).toBe(1)
    expect(rows.filter((x) => x.type === 'pageview')).toHaveLength(1)
    expect(new Set(rows.map((x) => x.event_id)).size).toBe(rows.length)
    expect(stack.logs()).toMatch(/fault injected: queueRefuse #\d+/)
    expect(errors).toEqual([])
  })
})
