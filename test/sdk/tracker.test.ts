/**
 * The tracker in real Chromium against fixture pages (test/sdk/fixtures, served by `server.ts` on its own
 * origin), every capability in both modes: the script tag (`/f.js` from the stack) and the ESM package
 * (`dist/sdk/index.js`). Asserted by what the real worker stored: the Parquet rows of the lake, read back
 * with native DuckDB (`lake-reader.ts`). One stack for the whole file.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BATCH_DELAY_MS } from '../../sdk/src/batching.ts'
import { CHROMIUM, launchChromium } from '../helpers/browser.ts'
import { freePort, startStack, waitFor, type Stack } from '../helpers/stack.ts'
import { LakeReader, brief } from './lake-reader.ts'
import { startFixtures, type FixtureServer } from './server.ts'

let stack: Stack
let browser: BrowserContext
let site: FixtureServer
let lake: LakeReader
let runs = 0
let bfBrowser: Browser | undefined

/** Playwright turns Chromium's back/forward cache off by default; this browser has it on. */
async function withBackForwardCache(): Promise<Browser> {
  return (bfBrowser ??= await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  }))
}

/**
 * Chromium with no DevTools session, opening `url`. Playwright's session keeps Chromium from prerendering
 * (its Preload domain reports "PrerenderingDisabledByDevTools": a session attached to the page rather than
 * to the tab disables it), so the prerender test drives its pages by themselves and reads what they
 * report to the fixture server. Stopped with `stop()` (its whole process group).
 */
async function chromiumWithoutDevTools(url: string): Promise<{ stop: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'footfall-chromium-plain-'))
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    url,
  ]
  const proc: ChildProcess = spawn(CHROMIUM, args, { stdio: 'ignore', detached: true })
  return {
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r))
        process.kill(-proc.pid!, 'SIGTERM')
        await exited
      }
      await rm(profile, { recursive: true, force: true })
    },
  }
}

beforeAll(async () => {
  stack = await startStack({ port: await freePort() })
  ;[browser, site, lake] = await Promise.all([launchChromium(), startFixtures(stack.url, await freePort()), LakeReader.open(stack)])
})
afterAll(async () => {
  await bfBrowser?.close()
  await browser?.close()
  await site?.close()
  await stack?.stop()
})

/** A page of the fixture site that records its exceptions and console errors. */
async function open(run: string, query: string, file = 'page.html'): Promise<{ page: Page; errors: string[]; console: string[] }> {
  const page = await browser.newPage()
  const errors: string[] = []
  const console: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => m.type() === 'error' && console.push(m.text()))
  await page.goto(`${site.url}/${run}/${file}?${query}`)
  // The tracker is running once window.footfall is its API (the ESM module runs after parsing).
  await page.waitForFunction(() => typeof (window as any).footfall?.page === 'function')
  return { page, errors, console }
}

const paths = (rows: Record<string, unknown>[], type: string) => rows.filter((r) => r.type === type).map((r) => r.path)

for (const mode of ['script', 'esm'] as const) {
  const run = (name: string) => `${mode}-${name}-${++runs}`

  describe(`tracker (${mode})`, () => {
    it('sends the pageview, custom event with revenue, identify and engagement when the visitor navigates away', async () => {
      const r = run('leave')
      const { page, errors } = await open(r, `mode=${mode}`)
      await page.evaluate(async () => {
        const f = (window as any).footfall
        f.track('purchase', { revenue: 42.5, currency: 'EUR', product_id: 'tea-01' })
        // Rows are read back in client-time order: two calls in one millisecond would have no order.
        await new Promise((r) => setTimeout(r, 2))
        f.identify('user-7', { plan: 'pro' })
      })
      const language = await page.evaluate(() => navigator.language)
      await page.mouse.move(10, 10)
      await page.locator('#bottom').scrollIntoViewIfNeeded()
      await page.waitForTimeout(300)
      await page.click('#internal') // same-origin link: the batch leaves on pagehide, by beacon
      await page.waitForURL(/landing/)
      expect(errors).toEqual([])

      const rows = await lake.waitRows(r, (rows) => rows.some((x) => x.type === 'engagement'))
      expect(rows.map(brief)).toEqual([
        { type: 'pageview', name: null, path: `/${r}/page.html`, user_id: null },
        { type: 'event', name: 'purchase', path: `/${r}/page.html`, user_id: null },
        { type: 'identify', name: null, path: `/${r}/page.html`, user_id: 'user-7' },
        { type: 'engagement', name: null, path: `/${r}/page.html`, user_id: 'user-7' },
      ])
      expect(rows[1]).toMatchObject({ revenue: 42.5, currency: 'EUR', product_id: 'tea-01' })
      expect(JSON.parse(rows[2]!.props as string)).toEqual({ plan: 'pro' })
      expect(rows[3]!.scroll_depth).toBe(100)
      expect(rows[3]!.engaged_ms).toBeGreaterThan(200)
      expect(rows[0]!.title).toBe('SDK fixture')
      // Not sent by the tracker: the edge reads it from the request's Accept-Language header.
      expect(rows.map((x) => x.language)).toEqual([language, language, language, language])
      expect(new Set(rows.map((x) => x.event_id)).size).toBe(4)
    })

    it('delivers the event queued just before the tab is closed', async () => {
      const r = run('close')
      const { page } = await open(r, `mode=${mode}`)
      await page.evaluate(() => (window as any).footfall.track('closing_now'))
      await page.close() // before the 1 s batch timer: only pagehide can send it
      const rows = await lake.waitRows(r, (rows) => rows.some((x) => x.name === 'closing_now'))
      expect(rows.filter((x) => x.name === 'closing_now')).toHaveLength(1)
    })

    it('cuts a page title longer than the wire allows instead of losing the event', async () => {
      const r = run('title')
      const { page } = await open(r, `mode=${mode}`)
      await page.evaluate(() => {
        document.title = 'T'.repeat(700)
        ;(window as any).footfall.track('long_title')
      })
      const rows = await lake.waitRows(r, (rows) => rows.some((x) => x.name === 'long_title'))
      expect(rows.find((x) => x.name === 'long_title')!.title).toBe('T'.repeat(500))
    })

    it('cuts a url and referrer longer than the wire allows instead of losing the event', async () => {
      const r = run('longurl')
      const page = await browser.newPage()
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      // Another site's page (one on the page's own host is stored as no referrer); Playwright navigates with the
      // unsafe-url referrer policy, so the browser keeps it whole (its own cap is 4,096 characters).
      const referrer = `https://blog.example.org/${r}/landing.html?from=${'r'.repeat(2100)}`
      await page.goto(`${site.url}/${r}/page.html?mode=${mode}&pad=${'u'.repeat(2100)}`, { referer: referrer })
      await page.waitForFunction(() => typeof (window as any).footfall?.page === 'function')
      expect(await page.evaluate(() => document.referrer)).toBe(referrer)
      await page.evaluate(() => (window as any).footfall.track('long_url'))
      await page.close()
      expect(errors).toEqual([])
      const rows = await lake.waitRows(r, (rows) => rows.some((x) => x.name === 'long_url') && rows.some((x) => x.type === 'pageview'))
      const pageview = rows.find((x) => x.type === 'pageview')!
      const event = rows.find((x) => x.name === 'long_url')!
      const url = `${site.url}/${r}/page.html?mode=${mode}&pad=${'u'.repeat(2100)}`.slice(0, 2000)
      expect(pageview.url).toBe(url)
      expect(event.url).toBe(url)
      expect(pageview.referrer).toBe(referrer.slice(0, 2000))
    })

    it('counts every SPA navigation once (pushState, replaceState, popstate), not same-path or hash changes', async () => {
      const r = run('spa')
      const { page, errors } = await open(r, `mode=${mode}`)
      for (const step of [
        () => history.pushState({}, '', 'a'),
        () => history.pushState({}, '', 'a'), // same path: not counted again
        () => (location.hash = 'section'), // an in-page anchor in history mode: not a page
        () => history.pushState({}, '', 'b'),
        () => history.back(), // popstate to a (from b; the anchor entry is skipped by the next back)
        () => history.replaceState({}, '', 'c?tab=2'),
      ]) {
        await page.evaluate(step)
        await page.waitForTimeout(100)
      }
      await page.goto('about:blank')
      expect(errors).toEqual([])
      const rows = await lake.waitRows(
        r,
        (rows) => rows.filter((x) => x.type === 'engagement').length >= 1 && paths(rows, 'pageview').length >= 5,
      )
      expect(paths(rows, 'pageview')).toEqual([`/${r}/page.html`, `/${r}/a`, `/${r}/b`, `/${r}/a`, `/${r}/c`])
    })

    it('counts hash routes in hash mode', async () => {
      const r = run('hash')
      const { page, errors } = await open(r, `mode=${mode}&spa=hash`)
      for (const hash of ['#/one', '#/two', '#/two']) {
        await page.evaluate((h) => (location.hash = h), hash)
        await page.waitForTimeout(100)
      }
      await page.goBack() // hashchange back to #/one
      await page.waitForTimeout(100)
      await page.goto('about:blank')
      expect(errors).toEqual([])
      const rows = await lake.waitRows(r, (rows) => paths(rows, 'pageview').length >= 4)
      expect(paths(rows, 'pageview')).toEqual([`/${r}/page.html`, `/${r}/page.html#/one`, `/${r}/page.html#/two`, `/${r}/page.html#/one`])
    })

    it('records data-ff-event clicks, outbound links and downloads without breaking target=_blank, modifier or middle clicks', async () => {
      const r = run('clicks')
      const { page, errors } = await open(r, `mode=${mode}`)
      await page.click('#buy')
      await page.click('#dl') // answered 204: the page stays
      // target=_blank, ctrl-click and middle click each open a new tab; the page itself stays where it is.
      for (const click of [
        () => page.click('#out-blank'),
        () => page.click('#out', { modifiers: ['Control'] }),
        () => page.click('#out', { button: 'middle' }),
      ]) {
        const [opened] = await Promise.all([browser.waitForEvent('page'), click()])
        await opened.waitForLoadState()
        expect(opened.url()).toContain(`${site.alt}/${r}/landing.html`)
        await opened.close()
      }
      expect(page.url()).toContain(`/${r}/page.html`)
      await page.click('#out') // a plain click leaves the page: the event goes with it
      await page.waitForURL(`${site.alt}/${r}/landing.html`)
      expect(errors).toEqual([])

      const rows = await lake.waitRows(r, (rows) => rows.filter((x) => x.name === 'outbound').length >= 4)
      const events = rows.filter((x) => x.type === 'event')
      expect(events.map((x) => [x.name, x.element_tag, x.element_href])).toEqual([
        ['add_to_cart', 'button', null],
        ['download', 'a', `${site.url}/files/report.pdf`],
        ['outbound', 'a', `${site.alt}/${r}/landing.html?blank`],
        ['outbound', 'a', `${site.alt}/${r}/landing.html`],
        ['outbound', 'a', `${site.alt}/${r}/landing.html`],
        ['outbound', 'a', `${site.alt}/${r}/landing.html`],
      ])
      expect(events[0]).toMatchObject({ element_text: 'Add green tea', product_id: 'tea-01', category: 'tea' })
    })

    it('sends no click events when data-clicks, data-outbound and data-download are off, and the clicks still work', async () => {
      const r = run('switches')
      const { page, errors } = await open(r, `mode=${mode}&off=clicks,outbound,download`)
      await page.click('#buy')
      await page.click('#dl')
      const [opened] = await Promise.all([browser.waitForEvent('page'), page.click('#out-blank')])
      await opened.close()
      await page.evaluate(() => (window as any).footfall.track('control'))
      await page.close()
      expect(errors).toEqual([])
      const rows = await lake.waitRows(r, (rows) => rows.some((x) => x.name === 'control'))
      await new Promise((res) => setTimeout(res, 2500))
      expect((await lake.rows(r)).filter((x) => x.type === 'event').map((x) => x.name)).toEqual(['control'])
      expect(rows.filter((x) => x.type === 'pageview')).toHaveLength(1)
    })

    it('counts a page restored from the back/forward cache as a new pageview', async () => {
      const r = run('bfcache')
      const page = await (await withBackForwardCache()).newPage()
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))
      // What the collector answered, for the failure message.
      const sent: string[] = []
      page.on('requestfinished', async (q) => q.url().endsWith('/e') && sent.push(`${q.method()} ${(await q.response())?.status()}`))
      page.on('requestfailed', (q) => q.url().endsWith('/e') && sent.push(`failed ${q.failure()?.errorText}`))
      await page.addInitScript(() => addEventListener('pageshow', (e) => ((window as any).restored = (e as PageTransitionEvent).persisted)))
      await page.goto(`${site.url}/${r}/page.html?mode=${mode}`)
      await page.waitForFunction(() => typeof (window as any).footfall?.page === 'function')
      await page.click('#internal')
      await page.waitForURL(/landing/)
      await page.goBack({ waitUntil: 'commit' }) // a restore fires no load event
      await page.waitForFunction(() => (window as any).restored === true)
      await page.goto('about:blank')
      await page.close()
      expect(errors).toEqual([])
      const rows = await lake
        .waitRows(r, (rows) => paths(rows, 'pageview').length >= 2)
        .catch((e) => {
          throw new Error(`${(e as Error).message}; requests to /e: ${sent.join(', ')}`)
        })
      expect(paths(rows, 'pageview')).toEqual([`/${r}/page.html`, `/${r}/page.html`])
    })

    it('waits while the page is prerendering: no pageview until it is shown, then exactly one', async () => {
      const r = run('prerender')
      const reports = () => site.reports.get(r) ?? []
      // The start page prerenders the fixture page (Speculation Rules) and navigates to it once released.
      const chrome = await chromiumWithoutDevTools(
        `${site.url}/${r}/prerender.html?target=${encodeURIComponent(`page.html?mode=${mode}&report=1`)}`,
      )
      try {
        await waitFor(async () => reports().length >= 1, 20_000)
        // The fixture page, tracker included, runs prerendered...
        expect(reports()).toEqual([{ prerendering: true, activationStart: 0, purpose: 'prefetch;prerender' }])
        // ...and counts nothing: past the batch timer and the consumer's batch, no row.
        await new Promise((res) => setTimeout(res, BATCH_DELAY_MS + 3000))
        expect(await lake.rows(r)).toEqual([])

        site.release(r) // shown: the start page navigates to it, which activates the prerendered page
        await waitFor(async () => reports().length >= 2, 20_000)
        expect(reports()[1]).toMatchObject({ prerendering: false, purpose: '' })
        expect(reports()[1]!.activationStart).toBeGreaterThan(0)
        await lake.waitRows(r, (rows) => rows.some((x) => x.type === 'pageview'))
        await new Promise((res) => setTimeout(res, 2500)) // a second pageview would have landed by now
        expect(paths(await lake.rows(r), 'pageview')).toEqual([`/${r}/page.html`])
      } finally {
        await chrome.stop()
      }
    })

    it('delivers an event tracked offline exactly once when the browser is back online', async () => {
      const r = run('offline')
      const { page, errors } = await open(r, `mode=${mode}`)
      await lake.waitRows(r, (rows) => rows.length >= 1) // the pageview is in
      await browser.setOffline(true)
      try {
        // Sent at once (the batch timer's flush, without its 10 s wait): offline, the event is held.
        await page.evaluate(() => ((window as any).footfall.track('while_offline'), (window as any).footfall.flush()))
        await page.waitForTimeout(2500)
      } finally {
        await browser.setOffline(false)
      }
      await page.waitForTimeout(1500)
      await page.goto('about:blank')
      expect(errors).toEqual([])
      const rows = await lake.waitRows(r, (rows) => rows.some((x) => x.name === 'while_offline'))
      await page.waitForTimeout(3000) // a duplicate would land in the next consumer batch
      expect((await lake.rows(r)).filter((x) => x.name === 'while_offline')).toHaveLength(1)
      expect(rows.filter((x) => x.type === 'pageview')).toHaveLength(1)
    })

    it('keeps events of a page left offline in localStorage when persisting, and sends them from the next page', async () => {
      const r = run('persist')
      const { page } = await open(r, `mode=${mode}&persist=1`)
      await lake.waitRows(r, (rows) => rows.length >= 1)
      await browser.setOffline(true)
      try {
        await page.evaluate(() => (window as any).footfall.track('left_offline'))
        await page.close() // pagehide while offline: stored
      } finally {
        await browser.setOffline(false)
      }
      const next = await open(r, `mode=${mode}&persist=1`, 'page.html')
      await next.page.close()
      await lake.waitRows(r, (rows) => rows.some((x) => x.name === 'left_offline') && paths(rows, 'pageview').length >= 2)
      await new Promise((res) => setTimeout(res, 3000))
      expect((await lake.rows(r)).filter((x) => x.name === 'left_offline')).toHaveLength(1)
    })

    it('honours the opt-out flag, Do Not Track with data-respect-dnt, and excluded paths', async () => {
      const optOut = run('optout')
      const dnt = run('dnt')
      const excluded = run('excluded')
      const control = run('control')
      const p1 = await browser.newPage()
      await p1.goto(`${site.url}/${optOut}/landing.html`)
      await p1.evaluate(() => localStorage.setItem('footfall_ignore', 'true'))
      const a = await open(optOut, `mode=${mode}`)
      await a.page.evaluate(() => (window as any).footfall.track('ignored'))
      await a.page.close()
      await p1.evaluate(() => localStorage.removeItem('footfall_ignore'))
      await p1.close()

      const b = await browser.newPage()
      await b.addInitScript(() => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' }))
      await b.goto(`${site.url}/${dnt}/page.html?mode=${mode}&respectDnt=1`)
      await b.waitForFunction(() => typeof (window as any).footfall?.page === 'function')
      const bErrors: string[] = []
      b.on('pageerror', (e) => bErrors.push(e.message))
      await b.evaluate(() => (window as any).footfall.track('ignored'))
      await b.waitForTimeout(BATCH_DELAY_MS + 500) // past the batch timer: an inert tracker must not throw from it
      await b.close()
      expect(bErrors).toEqual([])

      const c = await open(excluded, `mode=${mode}&exclude=/${excluded}/*`)
      await c.page.evaluate(() => (window as any).footfall.track('ignored'))
      await c.page.close()

      // A control page sent after them: once its events are in, theirs would be too.
      const d = await open(control, `mode=${mode}&exclude=/elsewhere/*`)
      await d.page.evaluate(() => (window as any).footfall.track('counted'))
      await d.page.close()
      await lake.waitRows(control, (rows) => rows.some((x) => x.name === 'counted'))
      await new Promise((res) => setTimeout(res, 2500))
      expect(await lake.rows(optOut)).toEqual([])
      expect(await lake.rows(dnt)).toEqual([])
      expect(await lake.rows(excluded)).toEqual([])
    })

    it('works under a strict Content-Security-Policy that allows only our origins', async () => {
      const r = run('csp')
      const { page, errors, console } = await open(r, `mode=${mode}&csp=1`)
      await page.click('#buy')
      await page.close()
      await lake.waitRows(r, (rows) => rows.some((x) => x.name === 'add_to_cart'))
      expect(errors).toEqual([])
      expect(console).toEqual([])
    })

    for (const bad of ['500', 'garbage', 'hang', '429'] as const) {
      it(`never throws nor logs into the page when the collector answers ${bad}`, async () => {
        const r = run(`bad${bad}`)
        const before = site.bad.get(`/bad/${bad}`)?.length ?? 0
        const { page, errors, console } = await open(r, `mode=${mode}&endpoint=/bad/${bad}`)
        // Sent at once (the batch timer's flush, without its 10 s wait), retried after 1 s, 2 s (or Retry-After: 1).
        await page.evaluate(() => ((window as any).footfall.track('doomed', { a: 1 }), (window as any).footfall.flush()))
        await page.waitForTimeout(3500)
        await page.click('#internal')
        await page.waitForURL(/landing/)
        const hits = site.bad.get(`/bad/${bad}`)!.slice(before)
        expect(errors).toEqual([])
        // What remains are Chromium's own network log lines for a failed request, not script errors.
        expect(console.filter((m) => !/^Failed to load resource: the server responded with a status of (500|429)/.test(m))).toEqual([])
        if (bad === '500' || bad === '429') {
          expect(hits.length).toBeGreaterThanOrEqual(3) // sent, retried with backoff, and the last chance on leave
          expect(hits[1]! - hits[0]!).toBeGreaterThanOrEqual(900)
        } else {
          expect(hits.length).toBeGreaterThanOrEqual(1)
        }
      })
    }
  })
}

describe('core build (/f.core.js)', () => {
  it('sends the pageview, history navigations, stub calls and custom events, on leave', async () => {
    const r = `core-${++runs}`
    const { page, errors } = await open(r, 'mode=core&stub=1', 'page.html')
    await page.evaluate(() => {
      history.pushState({}, '', 'next')
      history.pushState({}, '', 'next')
      ;(window as any).footfall.track('signup', { plan: 'pro' })
    })
    await page.close()
    expect(errors).toEqual([])
    const rows = await lake.waitRows(r, (rows) => rows.some((x) => x.name === 'signup'))
    expect(rows.map(brief)).toEqual([
      { type: 'pageview', name: null, path: `/${r}/page.html`, user_id: null },
      { type: 'event', name: 'early', path: `/${r}/page.html`, user_id: null },
      { type: 'pageview', name: null, path: `/${r}/next`, user_id: null },
      { type: 'event', name: 'signup', path: `/${r}/next`, user_id: null },
    ])
  })
})

describe('tracker (script tag only)', () => {
  it('replays calls queued by the stub before the script loaded', async () => {
    const r = `stub-${++runs}`
    const { page } = await open(r, 'mode=script&stub=1')
    await page.close()
    const rows = await lake.waitRows(r, (rows) => rows.some((x) => x.name === 'early'))
    expect(rows.filter((x) => x.type !== 'engagement').map(brief)).toEqual([
      { type: 'pageview', name: null, path: `/${r}/page.html`, user_id: null },
      { type: 'event', name: 'early', path: `/${r}/page.html`, user_id: null },
    ])
  })
})
