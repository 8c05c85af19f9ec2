/**
 * The overview's grouped panels in real Chromium on the real local stack, with the known dataset and a few
 * visits of long labels (a path, a referrer and a campaign that no column can hold on one line), more pages
 * than a panel lists, and in-site referrers: tabs (URL, keyboard), share bars, the Details list, self-referrals
 * left out, and no table cell of any panel or view cut at 360, 768 or 1366 px, light and dark.
 * Screenshots go to test-results/screenshots/.
 */
import { mkdir } from 'node:fs/promises'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DETAILS_LIMIT } from '../../dashboard/src/Details.tsx'
import { displayCells, formatShare } from '../../dashboard/src/format.ts'
import { PANEL_GROUPS, UNGROUPED } from '../../dashboard/src/panel-groups.ts'
import { BREAKDOWNS } from '../../dashboard/src/panels.ts'
import type { NativeLake } from '../../warehouse/native.ts'
import { kpis } from '../../warehouse/sql/kpis.ts'
import type { Query } from '../../warehouse/sql/query.ts'
import { opts, type ViewScope } from '../../warehouse/sql/view.ts'
import { HOUR, MINUTE } from '../../warehouse/time.ts'
import { launchChromium } from '../helpers/browser.ts'
import { downloadLake, listFiles } from '../helpers/lake.ts'
import { openPanel } from '../helpers/panels.ts'
import { freePort, startStack, waitFor, type Stack } from '../helpers/stack.ts'
import { makeDataset, postDataset, type Dataset } from './dataset.ts'

const SHOTS = 'test-results/screenshots'
const WIDTHS = [360, 768, 1366]
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'
const LONG_PATH = `/products/${'verylongproductidentifierwithoutanybreak'.repeat(3)}`
const LONG_REF = `https://${'subdomain'.repeat(6)}.example.org/${'p'.repeat(90)}?from=newsletter`
const LONG_CAMPAIGN = 'springsalewithaverylongcampaignnamenoonecouldfit'.repeat(2)
/** In-site navigation the dataset marks as a referral: the collector must store it as none. */
const SELF_REF = 'http://localhost/shop/tea'
const TEA_PAGES = 14

let stack: Stack
let browser: BrowserContext
let data: Dataset
let native: NativeLake
let range: { from: number; to: number }
let base: string

/** Visits with long labels, one visit per tea page (more pages than a panel's 10), and in-site referrers. */
function extraVisits(end: number): Dataset {
  const events: Record<string, unknown>[] = []
  const at = end - 3 * HOUR
  const view = (i: number, ip: string, path: string, extra: Record<string, unknown> = {}) =>
    events.push({
      id: `px-${String(i).padStart(6, '0')}`,
      type: 'pageview',
      ts: at + i * MINUTE,
      url: `http://localhost${path}`,
      ip,
      ua: CHROME,
      ...extra,
    })
  view(0, '5.9.1.1', `${LONG_PATH}?utm_source=newsletter&utm_medium=email&utm_campaign=${LONG_CAMPAIGN}`, { referrer: LONG_REF })
  view(1, '81.2.69.142', LONG_PATH, { referrer: LONG_REF })
  for (let i = 0; i < TEA_PAGES; i++) view(2 + i, i % 2 ? '5.9.1.2' : '81.2.69.143', `/tea/sencha-${i}`, { referrer: SELF_REF })
  return { events, from: at, to: at + (2 + TEA_PAGES) * MINUTE }
}

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true })
  browser = await launchChromium()
  stack = await startStack({ port: await freePort() })
  data = makeDataset(Date.now())
  const extra = extraVisits(Date.now())
  const accepted = (await postDataset(stack, data)) + (await postDataset(stack, extra))
  range = { from: data.from - HOUR, to: data.to + 5 * MINUTE }
  await waitFor(async () => (await listFiles(stack, 'demo', range.from, range.to)).reduce((n, f) => n + f.rows, 0) >= accepted, 60_000)
  native = (await downloadLake(stack, await listFiles(stack, 'demo', range.from, range.to))).lake
  base = `${stack.url}/dashboard/?range=custom&from=${new Date(range.from).toISOString()}&to=${new Date(range.to).toISOString()}`
}, 180_000)
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const scope = (): ViewScope => ({ range, filters: [], bots: false })

async function expected(q: Query, columns: readonly string[]): Promise<string[][]> {
  return (await native.run(q)).map((r) => displayCells([...columns], r))
}

async function settled(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=load-stats]', { timeout: 60_000 })
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { timeout: 60_000 })
}

async function rows(page: Page, selector: string): Promise<string[][]> {
  return page.$$eval(`${selector} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))
}

/**
 * Every table cell, header cell and table box in the page (main and an open dialog) whose content is wider
 * than its box, and the page itself if it scrolls sideways; with the number of cells measured.
 */
async function cut(page: Page): Promise<{ cells: number; cut: string[] }> {
  return page.evaluate(() => {
    const out: string[] = []
    const els = [...document.querySelectorAll<HTMLElement>('main td, main th, main .table-wrap, dialog td, dialog th, dialog .table-wrap')]
    for (const el of els)
      if (el.scrollWidth > el.clientWidth)
        out.push(
          `${el.closest('[data-testid]')?.getAttribute('data-testid')} ${el.tagName} "${(el.textContent ?? '').slice(0, 40)}" ${el.scrollWidth} > ${el.clientWidth}`,
        )
    const doc = document.documentElement
    if (doc.scrollWidth > doc.clientWidth) {
      // Named by the visible elements past the page's right edge that no box of theirs clips.
      const clipped = (e: Element) => {
        for (let p = e.parentElement; p && p !== document.body; p = p.parentElement)
          if (getComputedStyle(p).overflowX !== 'visible') return true
        return false
      }
      const past = [...document.querySelectorAll<HTMLElement>('main *')].filter(
        (e) => e.getBoundingClientRect().right > doc.clientWidth + 0.5 && e.checkVisibility() && !clipped(e),
      )
      out.push(
        `page ${doc.scrollWidth} > ${doc.clientWidth}: ${past
          .map((e) => `${e.tagName}.${e.className}`)
          .slice(0, 8)
          .join(', ')}`,
      )
    }
    return { cells: els.filter((e) => e.tagName === 'TD').length, cut: out }
  })
}

/** `cut` at every width, light and dark; returns what was cut, each with where. */
async function cutAtEveryWidth(page: Page, where: string): Promise<string[]> {
  const out: string[] = []
  for (const width of WIDTHS)
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height: 900 })
      await page.emulateMedia({ colorScheme })
      // Two frames: what resizes itself on a resize (the charts) has done so.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
      const r = await cut(page)
      expect(r.cells, `${where} at ${width}`).toBeGreaterThan(0)
      out.push(...r.cut.map((c) => `${where} ${width} ${colorScheme}: ${c}`))
    }
  await page.setViewportSize({ width: 1366, height: 900 })
  return out
}

describe('grouped panels', () => {
  it('shows one tabbed panel per group; a tab opens by click, by keyboard and from the URL, and equals native DuckDB', async () => {
    const page = await browser.newPage()
    await page.goto(`${base}#token=${stack.token}`)
    await settled(page)
    expect(await page.$$eval('.panel-group', (els) => els.map((e) => e.getAttribute('data-group')))).toEqual(PANEL_GROUPS.map((g) => g.key))
    for (const g of PANEL_GROUPS) {
      const tabs = `[data-group=${g.key}] [role=tablist] [role=tab]`
      expect(await page.$$eval(tabs, (els) => els.map((e) => e.textContent))).toEqual(g.tabs.map(([, label]) => label))
      for (const [testid] of g.tabs) {
        await page.click(`[data-testid=tab-${testid}]`)
        await settled(page)
        if (testid !== g.tabs[0]![0]) expect(new URL(page.url()).searchParams.get(g.key)).toBe(testid)
        else expect(new URL(page.url()).searchParams.has(g.key)).toBe(false)
        expect(await page.$$eval(tabs, (els) => els.map((e) => e.getAttribute('aria-selected')))).toEqual(
          g.tabs.map(([t]) => String(t === testid)),
        )
        // Only the open tab's panel is in the page, and it shows what native DuckDB computes.
        expect(await page.$$(`[data-group=${g.key}] section.panel`)).toHaveLength(1)
        const b = BREAKDOWNS.find((x) => x.testid === testid)!
        expect([testid, await rows(page, `[data-testid=${testid}]`)]).toEqual([testid, await expected(b.query(scope()), b.columns)])
      }
    }
    // Keyboard: the open tab alone is in the tab order; arrows, Home and End move and open.
    await page.click('[data-testid=tab-top-pages]')
    await settled(page)
    expect(await page.$$eval('[data-group=pages] [role=tab]', (els) => els.map((e) => e.getAttribute('tabindex')))).toEqual([
      '0',
      '-1',
      '-1',
    ])
    await page.focus('[data-testid=tab-top-pages]')
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))
    await page.keyboard.press('ArrowRight')
    await page.waitForURL(/pages=entry-pages/)
    expect(await focused()).toBe('tab-entry-pages')
    await page.keyboard.press('End')
    await page.waitForURL(/pages=exit-pages/)
    expect(await focused()).toBe('tab-exit-pages')
    await page.keyboard.press('ArrowRight') // wraps around
    await page.waitForURL((u) => !u.searchParams.has('pages'))
    expect(await focused()).toBe('tab-top-pages')
    await page.keyboard.press('ArrowLeft')
    await page.waitForURL(/pages=exit-pages/)
    await page.keyboard.press('Home')
    await page.waitForURL((u) => !u.searchParams.has('pages'))
    await settled(page)
    expect(await page.$('[data-testid=top-pages]')).not.toBeNull()
    // A bookmark opens its tabs.
    await page.goto(`${base}&sources=referrers&devices=os#token=${stack.token}`)
    await settled(page)
    for (const t of ['referrers', 'os', 'top-pages', 'countries'])
      expect(await page.getAttribute(`[data-testid=tab-${t}]`, 'aria-selected')).toBe('true')
    expect(await page.$('[data-testid=sources]')).toBeNull()
    // The panel's tabpanel is labelled by its open tab.
    expect(await page.getAttribute('[data-group=sources] [role=tabpanel]', 'aria-labelledby')).toBe('tab-referrers')
    await page.close()
  })

  it("draws each row's share bar against the top row and titles it with its share of the range's visitors", async () => {
    const page = await browser.newPage()
    await page.goto(`${base}#token=${stack.token}`)
    await settled(page)
    const [k] = await native.run(kpis(range, opts(scope())))
    const total = Number(k!.visitors)
    for (const testid of ['top-pages', 'channels', 'countries', 'browsers', 'custom-events']) {
      await openPanel(page, testid)
      const b = BREAKDOWNS.find((x) => x.testid === testid)!
      const want = (await native.run(b.query(scope()))).map((r) => Number(r.visitors))
      const bars = await page.$$eval(`[data-testid=${testid}] tbody tr`, (trs) =>
        trs.map((tr) => {
          const bar = tr.querySelector<HTMLElement>('td:first-child .bar')!
          return { width: Number.parseFloat(bar.style.width), share: bar.dataset.share }
        }),
      )
      expect(bars.length, testid).toBe(want.length)
      const top = Math.max(...want)
      bars.forEach((bar, i) => {
        expect(bar.width, `${testid} row ${i}`).toBeCloseTo((100 * want[i]!) / top, 3)
        expect(bar.share, `${testid} row ${i}`).toBe(formatShare(want[i]!, total))
      })
      expect(bars[0]!.width).toBe(100)
      // Drawn behind the label: as tall as the row's first cell, no wider than it.
      const box = await page.$eval(`[data-testid=${testid}] tbody tr:first-child td:first-child`, (td) => {
        const c = td.getBoundingClientRect()
        const b = td.querySelector('.bar')!.getBoundingClientRect()
        return { inside: b.left >= c.left - 0.5 && b.right <= c.right + 0.5, behind: getComputedStyle(td.querySelector('.bar')!).position }
      })
      expect(box).toEqual({ inside: true, behind: 'absolute' })
    }
    // Units: a rate and a duration as a person reads them.
    await openPanel(page, 'entry-pages')
    const cells = (await rows(page, '[data-testid=entry-pages]')).flat()
    expect(cells.some((c) => / %$/.test(c))).toBe(true)
    expect(cells.some((c) => /^(\d+h )?(\d+m )?\d+s$|^\d+m \d+s$/.test(c))).toBe(true)
    expect(await page.$$eval('[data-testid=entry-pages] th', (ths) => ths.map((t) => t.textContent))).toEqual([
      'Entry pages',
      'Visitors',
      'Visits',
      'Bounce rate',
      'Visit duration',
    ])
    await page.close()
  })

  it('leaves in-site navigation out of referrers and sources', async () => {
    const [n] = await native.run({
      sql: `SELECT count(*) FILTER (WHERE path LIKE '/tea/%') AS tea, count(*) FILTER (WHERE referrer LIKE 'http://localhost%') AS self, count(*) FILTER (WHERE path LIKE '/tea/%' AND channel = 'direct' AND referrer_host IS NULL) AS direct FROM events`,
      params: [],
    })
    expect(n).toEqual({ tea: TEA_PAGES, self: 0, direct: TEA_PAGES })
    const page = await browser.newPage()
    await page.goto(`${base}&sources=referrers#token=${stack.token}`)
    await settled(page)
    const refs = (await rows(page, '[data-testid=referrers]')).map((r) => r[0])
    expect(refs).toContain(LONG_REF)
    expect(refs.filter((r) => r!.startsWith('http://localhost'))).toEqual([])
    await openPanel(page, 'sources')
    expect((await rows(page, '[data-testid=sources]')).map((r) => r[0])).not.toContain('localhost')
    await page.close()
  })

  it('lists every row of a panel in Details, filtered by its search box, and closes on Escape', async () => {
    const page = await browser.newPage()
    await page.goto(`${base}#token=${stack.token}`)
    await settled(page)
    const b = BREAKDOWNS.find((x) => x.testid === 'top-pages')!
    const all = await expected(b.query(scope(), DETAILS_LIMIT), b.columns)
    expect(all.length).toBeGreaterThanOrEqual(TEA_PAGES + 2) // the tea pages, the long path and the dataset's
    expect(await rows(page, '[data-testid=top-pages]')).toHaveLength(10)
    await page.click('[data-testid=top-pages-details]')
    await page.waitForSelector('[data-testid=details-top-pages][data-state=ready]')
    await settled(page)
    const dialog = '[data-testid=details-top-pages]'
    expect(await page.$eval(dialog, (d) => (d as HTMLDialogElement).open && d.matches(':modal'))).toBe(true)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('details-search')
    expect(await rows(page, dialog)).toEqual(all)
    expect(await page.textContent('[data-testid=details-count]')).toBe(`${all.length} rows`)
    await page.fill('[data-testid=details-search]', 'SENCHA-1')
    const match = all.filter((r) => r[0]!.toLowerCase().includes('sencha-1'))
    expect(match.length).toBeGreaterThan(1) // sencha-1, -10 ... -13
    expect(await rows(page, dialog)).toEqual(match)
    expect(await page.textContent('[data-testid=details-count]')).toBe(`${match.length} of ${all.length} rows`)
    // A filtered list keeps its bars against the whole list's top row.
    const top = Math.max(...all.map((r) => Number(r[1])))
    expect(await page.$$eval(`${dialog} tbody .bar`, (els) => els.map((e) => Number.parseFloat((e as HTMLElement).style.width)))).toEqual(
      match.map((r) => (100 * Number(r[1])) / top),
    )
    expect(await cutAtEveryWidth(page, 'details')).toEqual([])
    await page.screenshot({ path: `${SHOTS}/details.png` })
    await page.keyboard.press('Escape')
    await page.waitForSelector(dialog, { state: 'detached' })
    // Another group's Details, and a row picked there filters the overview (the dialog closes).
    await page.click('[data-testid=countries-details]')
    await page.waitForSelector('[data-testid=details-countries][data-state=ready]')
    const countries = BREAKDOWNS.find((x) => x.testid === 'countries')!
    const [first] = await expected(countries.query(scope(), DETAILS_LIMIT), countries.columns)
    expect((await rows(page, '[data-testid=details-countries]'))[0]).toEqual(first)
    await page.click('[data-testid=details-countries] tbody tr:first-child button.pick')
    await page.waitForURL(new RegExp(`f=country%3Ais%3A${first![0]}`))
    expect(await page.$('[data-testid=details-countries]')).toBeNull()
    await page.close()
  })

  it('cuts no table cell of any panel at 360, 768 or 1366 px, light and dark', async () => {
    const page = await browser.newPage()
    await page.goto(`${base}#token=${stack.token}`)
    await settled(page)
    const found: string[] = []
    for (const g of PANEL_GROUPS)
      for (const [testid] of g.tabs) {
        await openPanel(page, testid)
        found.push(...(await cutAtEveryWidth(page, testid)))
      }
    for (const b of UNGROUPED) expect(await page.$(`[data-testid=${b.testid}] td`), b.testid).not.toBeNull()
    // The long labels are there, wrapped rather than cut or hidden behind an ellipsis.
    await openPanel(page, 'top-pages')
    expect((await rows(page, '[data-testid=top-pages]')).map((r) => r[0])).toContain(LONG_PATH)
    await openPanel(page, 'utm-campaigns')
    expect((await rows(page, '[data-testid=utm-campaigns]')).map((r) => r[0])).toContain(LONG_CAMPAIGN)
    expect(found.length, found.filter((f) => f.includes(' light: ')).join('\n')).toBe(0)
    for (const width of [1366, 360]) {
      await page.setViewportSize({ width, height: 900 })
      await page.screenshot({ path: `${SHOTS}/panels-${width}.png`, fullPage: true })
    }
    await page.close()
  })

  it('cuts no table cell of any view at 360, 768 or 1366 px, light and dark', async () => {
    const page = await browser.newPage()
    const found: string[] = []
    const views = [
      ['realtime', `${stack.url}/dashboard/?view=realtime`],
      ['streams', `${base}&view=streams`],
      ['funnels', `${base}&view=funnels&steps=path:/,name:add_to_cart,name:order`],
      ['users', `${base}&view=users&group=country&trait=age`],
      ['filtered', `${base}&view=filtered`],
      [
        'sql',
        `${base}&view=sql&sql=${encodeURIComponent('SELECT path, referrer, title, count(*) AS n FROM events GROUP BY ALL ORDER BY n DESC')}`,
      ],
    ]
    for (const [view, url] of views) {
      await page.goto(`${url}#token=${stack.token}`)
      await settled(page)
      if (view === 'sql') {
        await page.click('[data-testid=sql-run]')
        await page.waitForSelector('[data-testid=sql-result][data-state=ready]', { timeout: 30_000 })
      }
      found.push(...(await cutAtEveryWidth(page, view!)))
      await page.setViewportSize({ width: 360, height: 900 })
      await page.screenshot({ path: `${SHOTS}/${view}-360.png`, fullPage: true })
    }
    expect(found.length, found.filter((f) => f.includes(' light: ')).join('\n')).toBe(0)
    await page.close()
  }, 300_000) // six views, each measured at three widths in two themes: about 100 s on a loaded machine
})
