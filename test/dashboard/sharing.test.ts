/**
 * Sites and shared links in real Chromium on the real local stack (two configured sites: `demo` with the
 * known dataset, `fresh` without an event). The owner creates a link from the Share control; the link,
 * opened in another tab, shows demo's KPIs and nothing else (no SQL console unless made with one, no site
 * switcher, never the owner's token on the wire), and says so once revoked. An empty site shows the script tag to paste and
 * turns into data after its first event; an unknown site says it is unknown. Screenshots go to /tmp.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/browser.ts'
import { freePort, startStack, type Stack } from '../helpers/stack.ts'
import { makeDataset, seedDataset, type Dataset } from './dataset.ts'

const LOOPBACK = ['127.0.0.1', 'localhost']
let stack: Stack
let browser: BrowserContext
let data: Dataset

beforeAll(async () => {
  browser = await launchChromium()
  stack = await startStack({
    port: await freePort(),
    vars: {
      SITES: JSON.stringify({ demo: LOOPBACK, fresh: LOOPBACK }),
      SITE_KEYS: JSON.stringify({ demo: 'demo-server-key', fresh: 'fresh-server-key' }),
    },
  })
  data = makeDataset(Date.now(), 20, 6)
  await seedDataset(stack, data)
}, 180_000)
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const owner = (search = '') => `${stack.url}/dashboard/${search}#token=${stack.token}`

async function kpis(page: Page): Promise<Record<string, string>> {
  await page.waitForSelector('[data-testid=load-stats]', { timeout: 60_000 })
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { timeout: 60_000 })
  await page.waitForSelector('[data-testid=view-overview] [data-testid=kpi-pageviews]', { timeout: 60_000 })
  return page.$$eval('[data-testid=view-overview] [data-testid^=kpi-]:not([data-testid$=-change])', (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-testid')!.slice(4), e.textContent ?? ''])),
  )
}

describe('shared links', () => {
  it("the owner shares demo; the link shows demo's KPIs, no SQL console, no switcher, never the owner token; revoked, it says so", async () => {
    const page = await browser.newPage()
    await page.goto(owner())
    const ownerKpis = await kpis(page)
    expect(Number(ownerKpis.pageviews)).toBeGreaterThan(0)
    // Both configured sites are offered.
    expect(await page.$$eval('[data-testid=site] option', (os) => os.map((o) => o.textContent))).toEqual(['demo', 'fresh'])

    await page.click('[data-testid=share]')
    await page.fill('[data-testid=share-label]', 'for the team')
    await page.click('[data-testid=share-create]')
    await page.waitForSelector('[data-testid=share-links] li')
    await page.screenshot({ path: '/tmp/share.png' })
    const url = await page.inputValue('[data-testid=share-links] li input')
    expect(url).toMatch(new RegExp(`^${stack.url}/dashboard/#link=fl1\\.`))

    const shared = await browser.newPage()
    const bearers = new Set<string>()
    shared.on('request', (r) => {
      const auth = r.headers().authorization
      if (auth) bearers.add(auth.replace(/^(Bearer fl1\.).*/, '$1…'))
    })
    await shared.goto(url)
    expect(await kpis(shared)).toEqual(ownerKpis)
    expect(await shared.textContent('[data-testid=shared-view]')).toBe('Shared view, read-only')
    for (const absent of ['nav-sql', 'site', 'share'])
      expect([absent, await shared.locator(`[data-testid=${absent}]`).count()]).toEqual([absent, 0])
    expect(await shared.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
    expect([...bearers]).toEqual(['Bearer fl1.…'])
    // A view's tab keeps the link, so it also opens in a new tab.
    expect(await shared.getAttribute('[data-testid=nav-realtime]', 'href')).toMatch(/^\?view=realtime&range=7d#link=fl1\./)

    // Asking for the console in the address does not open it; asking for another site does not either.
    await shared.goto(url.replace('/dashboard/#', '/dashboard/?view=sql&site=fresh#'))
    await shared.waitForSelector('[data-testid=view-overview]', { timeout: 60_000 })
    expect(await shared.locator('[data-testid=view-sql]').count()).toBe(0)
    expect(await shared.textContent('h1')).toBe('Footfall · demo')

    // A link made with the SQL console shows it (the owner's API, as the Share control calls it).
    const made = await fetch(`${stack.url}/api/sites/demo/links`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${stack.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ sql: true }),
    })
    expect(made.status).toBe(201)
    const withSql = (await made.json()) as { link: { url: string } }
    await shared.goto(`${stack.url}${withSql.link.url.replace('/dashboard/#', '/dashboard/?view=sql#')}`)
    await shared.waitForSelector('[data-testid=view-sql]', { timeout: 60_000 })
    expect(await shared.locator('[data-testid=nav-sql]').count()).toBe(1)

    await page.reload()
    await page.click('[data-testid=share]')
    await page.waitForSelector('[data-testid=share-links] li')
    await page.click('[data-testid=share-links] li:first-child [data-testid=share-revoke]')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=share-links] li').length === 1)
    await shared.goto(url)
    await expect(shared.textContent('[data-testid=link-error]', { timeout: 30_000 })).resolves.toMatch(/does not open: .*link revoked/)
    await page.close()
    await shared.close()
  })
})

describe('sites', () => {
  it('an empty site shows the script tag and waits; after one event it shows the data', async () => {
    const page = await browser.newPage()
    await page.goto(owner('?site=fresh'))
    await page.waitForSelector('[data-testid=onboarding]', { timeout: 60_000 })
    expect(await page.textContent('[data-testid=snippet]')).toBe(`<script defer src="${stack.url}/f.js" data-site="fresh"></script>`)
    expect(await page.textContent('[data-testid=waiting]')).toContain('Waiting for the first event')
    expect(await page.locator('[data-testid=kpi-pageviews]').count()).toBe(0)
    await page.screenshot({ path: '/tmp/onboarding.png' })

    const res = await fetch(`${stack.url}/e`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer fresh-server-key', 'User-Agent': 'node' },
      body: JSON.stringify({
        site: 'fresh',
        sentAt: Date.now(),
        events: [
          {
            id: 'fresh-first-visit',
            type: 'pageview',
            ts: Date.now(),
            url: 'http://127.0.0.1/',
            ip: '203.0.113.9',
            ua: data.events[0]!.ua,
          },
        ],
      }),
    })
    expect(res.status).toBe(202)
    await page.waitForSelector('[data-testid=onboarding]', { state: 'detached', timeout: 60_000 })
    await page.waitForFunction(
      () => document.querySelector('[data-testid=view-overview] [data-testid=kpi-pageviews]')?.textContent === '1',
      null,
      {
        timeout: 60_000,
      },
    )
    expect((await kpis(page)).pageviews).toBe('1')
    await page.close()
  })

  it('an unknown site says so plainly', async () => {
    const page = await browser.newPage()
    await page.goto(owner('?site=nope'))
    await expect(page.getByRole('alert').textContent({ timeout: 30_000 })).resolves.toBe(
      'unknown site: nope is not configured (SITES) and has no data',
    )
    expect(await page.$$eval('[data-testid=site] option', (os) => os.map((o) => o.textContent))).toEqual([
      'demo',
      'fresh',
      'nope (not configured)',
    ])
    await page.close()
  })
})
