/**
 * The overview's chart in real Chromium on the real local stack with the known dataset: its tooltip, moved
 * by the keyboard and by the pointer, shows for three buckets and two metrics what native DuckDB computes
 * (and the previous period's value when compared); clicking a KPI switches the chart's metric and puts it in
 * the URL; the chart follows its box's width. Screenshots in light and dark at 1366 and 390 px go to
 * test-results/screenshots/.
 */
import { mkdir } from 'node:fs/promises'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bucketFor } from '../../warehouse/sql/buckets.ts'
import type { NativeLake } from '../../warehouse/native.ts'
import { formatMetric } from '../../dashboard/src/format.ts'
import { series, type SeriesMetric } from '../../warehouse/sql/overview.ts'
import type { ViewScope } from '../../warehouse/sql/view.ts'
import { previousOf } from '../../dashboard/src/state.ts'
import { launchChromium } from '../helpers/browser.ts'
import { downloadLake, listFiles } from '../helpers/lake.ts'
import { freePort, startStack, waitFor, type Stack } from '../helpers/stack.ts'
import { makeDataset, postDataset, type Dataset } from './dataset.ts'

const SHOTS = 'test-results/screenshots'
const HOUR = 3_600_000
let stack: Stack
let browser: BrowserContext
let data: Dataset
let native: NativeLake
let range: { from: number; to: number }

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true })
  browser = await launchChromium()
  stack = await startStack({ port: await freePort() })
  data = makeDataset(Date.now())
  const accepted = await postDataset(stack, data)
  range = { from: data.from - HOUR, to: data.to + 5 * 60_000 }
  await waitFor(async () => (await listFiles(stack, 'demo', range.from, range.to)).reduce((n, f) => n + f.rows, 0) >= accepted, 60_000)
  native = (await downloadLake(stack, await listFiles(stack, 'demo', range.from - 60 * HOUR, range.to))).lake
}, 180_000)
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const url = (r: { from: number; to: number }, more = '') =>
  `${stack.url}/dashboard/?range=custom&from=${new Date(r.from).toISOString()}&to=${new Date(r.to).toISOString()}${more}#token=${stack.token}`

async function settled(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=load-stats]', { timeout: 60_000 })
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { timeout: 60_000 })
  await page.waitForSelector('[data-testid=chart] canvas', { timeout: 30_000 })
}

/** A page of the persistent context (which takes no page options) at a width and colour scheme. */
async function openPage(width: number, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await browser.newPage()
  await page.setViewportSize({ width, height: 900 })
  await page.emulateMedia({ colorScheme })
  return page
}

/** Native DuckDB's series of a metric, as (t, value) with `t` as the chart names buckets. */
async function nativeSeries(r: { from: number; to: number }, metric: SeriesMetric): Promise<[string, number | null][]> {
  const s: ViewScope = { range: r, filters: [], bots: false }
  const rows = await native.run(series(s, bucketFor(r), metric))
  return rows.map((x) => [(x.t as Date).toISOString().slice(0, 19).replace('T', ' '), x[metric] === null ? null : Number(x[metric])])
}

/** The tooltip after moving the chart's cursor to bucket `i` by the keyboard (Home, then → i times). */
async function tooltipAt(page: Page, i: number) {
  await page.focus('[data-testid=chart] .chart-box')
  await page.keyboard.press('Home')
  for (let k = 0; k < i; k++) await page.keyboard.press('ArrowRight')
  return readTooltip(page)
}

async function readTooltip(page: Page) {
  const tip = await page.waitForSelector('[data-testid=chart-tooltip]', { timeout: 10_000 })
  return tip.evaluate((el) => ({
    t: el.getAttribute('data-t'),
    lines: [...el.querySelectorAll<HTMLElement>('[data-line]')].map((l) => ({
      value: l.dataset.value === '' ? null : Number(l.dataset.value),
      text: l.querySelector('strong')!.textContent,
    })),
  }))
}

/** Three buckets with a value: the first, one in the middle and the last. */
function threeBuckets(rows: [string, number | null][]): number[] {
  const valued = rows.flatMap(([, v], i) => (v !== null && v > 0 ? [i] : []))
  expect(valued.length).toBeGreaterThan(3)
  return [valued[0]!, valued[Math.floor(valued.length / 2)]!, valued.at(-1)!]
}

describe('the overview chart', () => {
  it('shows in its tooltip what native DuckDB computes, for three buckets of pageviews and of bounce rate; a KPI click switches the metric', async () => {
    const page = await openPage(1366)
    await page.goto(url(range))
    await settled(page)
    expect(await page.textContent('[data-testid=chart-title]')).toBe('Pageviews over time')
    expect(await page.getAttribute('button.kpi[data-metric=pageviews]', 'aria-pressed')).toBe('true')
    const pv = await nativeSeries(range, 'pageviews')
    for (const i of threeBuckets(pv)) {
      const tip = await tooltipAt(page, i)
      expect(tip.t).toBe(pv[i]![0])
      expect(tip.lines).toEqual([{ value: pv[i]![1], text: formatMetric('pageviews', pv[i]![1]) }])
    }
    await page.screenshot({ path: `${SHOTS}/chart-pageviews-1366-light.png` })

    // Clicking a KPI: the chart draws that metric, the URL says so, a reload keeps it.
    await page.click('button.kpi[data-metric=bounce_rate]')
    await page.waitForURL(/metric=bounce_rate/)
    await page.waitForSelector('[data-testid=chart][data-metric=bounce_rate] canvas')
    await settled(page)
    expect(await page.textContent('[data-testid=chart-title]')).toBe('Bounce rate over time')
    expect(await page.getAttribute('button.kpi[data-metric=bounce_rate]', 'aria-pressed')).toBe('true')
    expect(await page.getAttribute('button.kpi[data-metric=pageviews]', 'aria-pressed')).toBe('false')
    const br = await nativeSeries(range, 'bounce_rate')
    expect(br.some(([, v]) => v === null)).toBe(true) // hours without a visit have no rate
    for (const i of threeBuckets(br)) {
      const tip = await tooltipAt(page, i)
      expect(tip.t).toBe(br[i]![0])
      expect(tip.lines).toEqual([{ value: br[i]![1], text: formatMetric('bounce_rate', br[i]![1]) }])
      expect(tip.lines[0]!.text).toMatch(/^\d+ %$/)
    }
    // Every bucket in the chart's list equals native DuckDB's (NULL as no value).
    const list = await page.$$eval('[data-testid=chart] li[data-t]', (lis) =>
      lis.map((li) => [li.dataset.t, li.querySelector('[data-line="0"]')!.getAttribute('data-value')]),
    )
    expect(list).toEqual(br.map(([t, v]) => [t, v === null ? '' : String(v)]))
    await page.reload()
    await settled(page)
    expect(await page.getAttribute('[data-testid=chart]', 'data-metric')).toBe('bounce_rate')

    // The pointer: hovering the plot shows the bucket under it.
    const box = (await page.$('[data-testid=chart] .u-over'))!
    const b = (await box.boundingBox())!
    await page.mouse.move(b.x + b.width * 0.5, b.y + b.height / 2)
    const hovered = await readTooltip(page)
    const row = br.find(([t]) => t === hovered.t)
    expect(row).toBeDefined()
    expect(hovered.lines[0]!.value).toBe(row![1])
    await page.close()
  })

  it('shows the previous period as a second line, and its value in the tooltip', async () => {
    const page = await openPage(1366)
    const half = { from: data.to - 20 * HOUR, to: data.to + 5 * 60_000 }
    await page.goto(url(half, '&compare=1&metric=visitors'))
    await settled(page)
    await page.waitForSelector('[data-testid=chart] li [data-line="1"]')
    expect(await page.textContent('[data-testid=chart-title]')).toBe('Unique visitors over time')
    const now = await nativeSeries(half, 'visitors')
    const before = await nativeSeries(previousOf(half), 'visitors')
    expect(before.some(([, v]) => (v ?? 0) > 0)).toBe(true)
    for (const i of threeBuckets(now)) {
      const tip = await tooltipAt(page, i)
      expect(tip.t).toBe(now[i]![0])
      expect(tip.lines.map((l) => l.value)).toEqual([now[i]![1], before[i]![1]])
    }
    await page.screenshot({ path: `${SHOTS}/chart-compare-1366-light.png` })
    await page.close()
  })

  it('follows the width of its box, light and dark, from 1366 to 390 px', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      for (const width of [1366, 390]) {
        const page = await openPage(width, scheme)
        await page.goto(url(range, '&compare=1'))
        await settled(page)
        const sizes = await page.$eval('[data-testid=chart]', (fig) => ({
          fig: fig.clientWidth,
          canvas: fig.querySelector('canvas')!.getBoundingClientRect().width,
          page: document.documentElement.scrollWidth,
        }))
        expect(Math.abs(sizes.canvas - sizes.fig)).toBeLessThanOrEqual(2)
        expect(sizes.fig).toBeGreaterThan(width * 0.8 - 60)
        expect(sizes.page).toBeLessThanOrEqual(width)
        await page.screenshot({ path: `${SHOTS}/overview-${width}-${scheme}.png`, fullPage: true })
        await page.close()
      }
    }
  })
})
