/**
 * The dashboard over a year of a site, in real Chromium on the real local stack: 365 days of the demo shop
 * backfilled as the cron leaves them (day files, each closed day's aggregate and each closed month's,
 * warehouse/aggregate) plus today's hour parts. Opened at "Last 12 months", the overview downloads a file per
 * closed month and this month's closed days (listed in one request) and raw events of today only; every panel equals native DuckDB over the raw events
 * of the whole range, exactly, but for unique visitors: the KPI's is a sketch's estimate (marked as one)
 * within its bound, a breakdown's the sum of its days'. Filtered by a country, it reads that dimension's
 * slices instead (warehouse/aggregate/columns.ts), with the same figures as native DuckDB.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { displayCells, formatCell } from '../../dashboard/src/format.ts'
import { BREAKDOWNS, KPIS } from '../../dashboard/src/panels.ts'
import { eventCount } from '../../warehouse/sql/overview.ts'
import { parseState, rangeOf } from '../../dashboard/src/state.ts'
import type { LakeBucket } from '../../warehouse/compact.ts'
import type { NativeLake } from '../../warehouse/native.ts'
import { kpis } from '../../warehouse/sql/kpis.ts'
import type { Filter } from '../../warehouse/sql/filters.ts'
import type { Range } from '../../warehouse/sql/query.ts'
import { breakdown } from '../../warehouse/sql/breakdowns.ts'
import { series } from '../../warehouse/sql/overview.ts'
import { seriesBucket } from '../../dashboard/src/Overview.tsx'
import { launchChromium } from '../helpers/browser.ts'
import { openPanel } from '../helpers/panels.ts'
import { downloadLake, listFiles } from '../helpers/lake.ts'
import { freePort, stackVars, type Stack } from '../helpers/stack.ts'
import { startWranglerDev } from '../../scripts/wrangler-dev.mjs'
import { DAY } from '../../warehouse/time.ts'

const TOKEN = 'test-token'
const DAYS = 365
let stack: Stack
let browser: BrowserContext
let native: NativeLake
let aggregated = 0
let months = 0

beforeAll(async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'footfall-year-'))
  const persistTo = join(stateDir, 'state')
  // Written before wrangler dev starts: Miniflare's R2 state is not shared between two live processes.
  const { Miniflare } = await import('miniflare')
  const mf = new Miniflare({
    modules: true,
    script: 'export default {}',
    r2Buckets: ['footfall-lake'],
    r2Persist: join(persistTo, 'v3/r2'),
  })
  try {
    const { backfill } = await import('../../examples/generator/backfill.ts')
    const { bucketSink } = await import('../../examples/generator/sink.ts')
    const r2 = (await mf.getR2Bucket('footfall-lake')) as unknown as LakeBucket
    const r = await backfill({ sink: bucketSink(r2), days: DAYS, eventsPerDay: 120, seed: 'year', quiet: true })
    aggregated = r.aggregates
    months = r.months
  } finally {
    await mf.dispose()
  }
  const dev = await startWranglerDev({ port: await freePort(), persistTo, vars: stackVars(TOKEN) })
  stack = { ...dev, token: TOKEN, stateDir }
  native = (await downloadLake(stack, await listFiles(stack, 'demo', Date.now() - (DAYS + 1) * DAY, Date.now() + 60_000))).lake
  browser = await launchChromium()
  // (365 days backfilled through Miniflare's R2 proxy, slices included: ~8 minutes on a loaded 2-core machine.)
}, 900_000)
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

async function settled(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=load-stats]', { timeout: 90_000 })
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { timeout: 90_000 })
}
const rows = (page: Page, testid: string) =>
  page.$$eval(`[data-testid="${testid}"] tbody tr`, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  )

/**
 * The KPIs on the page equal native DuckDB's over the raw events of `scope`, but unique visitors, which must
 * be marked as an estimate: returns it with the exact count.
 */
async function expectKpis(page: Page, scope: { range: Range; filters: Filter[]; bots: boolean }) {
  const [k] = await native.run(kpis(scope.range, { filters: scope.filters }))
  const [e] = await native.run(eventCount(scope))
  const want: Record<string, unknown> = { ...k, events: e!.events }
  for (const [key] of KPIS) {
    const shown = (await page.textContent(`[data-testid=kpi-${key}]`))!.trim()
    if (key !== 'visitors') expect(shown, key).toBe(formatCell(key, Number(want[key])))
  }
  const visitors = page.locator('[data-testid=kpi-visitors]')
  expect(await visitors.getAttribute('data-estimate')).toBe('1')
  const text = (await visitors.textContent())!
  return { estimate: Number(text.replace(/[^\d.]/g, '')) * (text.includes('k') ? 1000 : 1), exact: Number(k!.visitors) }
}

/** Every breakdown on the page: each row's exact columns equal native DuckDB's for that value; visitors within 2 %. */
async function expectBreakdowns(page: Page, scope: Parameters<(typeof BREAKDOWNS)[number]['query']>[0]): Promise<void> {
  for (const b of BREAKDOWNS) {
    await openPanel(page, b.testid)
    const shown = await rows(page, b.testid)
    const all = await native.run(b.query({ ...scope, split: undefined }))
    // Every row of the raw breakdown (its last parameter is the limit of 10).
    const q = b.query(scope)
    const full = await native.run({ sql: q.sql, params: [...q.params.slice(0, -1), 100_000] })
    expect(shown.length, b.testid).toBe(all.length)
    const key = b.columns[0]!
    for (const row of shown) {
      const match = full.find((r) => displayCells([key], r)[0] === row[0])
      expect(match, `${b.testid} ${row[0]}`).toBeDefined()
      const cells = displayCells(b.columns, match!)
      b.columns.forEach((c, i) => {
        if (c === 'visitors')
          expect(
            Math.abs(Number(row[i]!.replace(/[^\d.]/g, '')) - Number(cells[i]!.replace(/[^\d.]/g, ''))),
            `${b.testid} ${row[0]} visitors`,
          ).toBeLessThanOrEqual(Math.max(2, 0.02 * Number(cells[i]!.replace(/[^\d.]/g, ''))))
        else expect(row[i], `${b.testid} ${row[0]} ${c}`).toBe(cells[i])
      })
    }
  }
}

describe('a year of a site', () => {
  it('has an aggregate for each closed day, and one file for each closed month', () => {
    expect(aggregated).toBeGreaterThanOrEqual(DAYS - 2)
    // The 11 months before this one at least (the first, partial month too: its days begin with the site's).
    expect(months).toBeGreaterThanOrEqual(11)
  })

  it('answers "Last 12 months" from the aggregates and today\'s events, every panel equal to native DuckDB on the raw events', async () => {
    const page = await browser.newPage()
    const requests: string[] = []
    page.on('request', (r) => {
      if (/\/(api|data)\//.test(r.url())) requests.push(new URL(r.url()).pathname)
    })
    await page.goto(`${stack.url}/dashboard/?range=12mo#token=${TOKEN}`)
    await settled(page)
    const range = rangeOf(parseState('?range=12mo'), Number(await page.getAttribute('main', 'data-now')))
    const scope = { range, filters: [], bots: false }

    // KPIs: exact but for unique visitors, an estimate marked as one, within 3 standard errors (4.8 %).
    const { estimate, exact } = await expectKpis(page, scope)
    console.log(
      `unique visitors over 12 months: estimate ${estimate}, exact ${exact}, error ${((100 * (estimate - exact)) / exact).toFixed(2)} %`,
    )
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.048)

    // Every breakdown: each row's exact columns equal native DuckDB's for that value; visitors within 2 %.
    await expectBreakdowns(page, scope)

    // The requests: one listing of aggregates; one file for each of the 11 closed months, the day files of this
    // month's closed days, each once; and raw events only from the day before today's start (the session gap) on.
    const aggFiles = requests.filter((p) => p.startsWith('/data/aggregates/'))
    expect(requests.filter((p) => p === '/api/aggregates')).toHaveLength(1)
    expect(new Set(aggFiles).size).toBe(aggFiles.length)
    const listed = (await (
      await fetch(`${stack.url}/api/aggregates?site=demo`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    ).json()) as { days: { date: string; url: string }[] }
    const inRange = listed.days.filter(
      (d) => Date.parse(`${d.date}T00:00:00Z`) >= range.from && Date.parse(`${d.date}T00:00:00Z`) + DAY - 1 <= range.to,
    )
    expect(aggFiles.sort()).toEqual([...new Set(inRange.map((d) => d.url))].sort())
    // The closed months but, on a month's first day, the last one (its last day may still be open).
    expect(aggFiles.filter((p) => p.includes('/month=')).length).toBeGreaterThanOrEqual(10)
    expect(aggFiles.length).toBeLessThanOrEqual(11 + 31)
    const eventFiles = requests.filter((p) => p.startsWith('/data/events/'))
    expect(eventFiles.length).toBeLessThanOrEqual(30)
    console.log(
      `12 months: ${requests.length} requests (${aggFiles.length} aggregate files, ${eventFiles.length} event files, ${requests.filter((p) => p.startsWith('/api/')).length} listings)`,
    )
    await page.close()
  })

  it('answers "Last 12 months" under a country filter from the slices, every panel equal to native DuckDB on the raw events', async () => {
    const range0 = rangeOf(parseState('?range=12mo'), Date.now())
    const [top] = await native.run(breakdown(range0, 'country', { limit: 1 }))
    const country = String(top!.value)
    const page = await browser.newPage()
    const requests: string[] = []
    page.on('request', (r) => {
      if (/\/(api|data)\//.test(r.url())) requests.push(new URL(r.url()).pathname + new URL(r.url()).search)
    })
    await page.goto(`${stack.url}/dashboard/?range=12mo&f=country:is:${country}#token=${TOKEN}`)
    await settled(page)
    const range = rangeOf(parseState('?range=12mo'), Number(await page.getAttribute('main', 'data-now')))
    const filters = [{ dim: 'country' as const, op: 'is' as const, value: country }]
    const scope = { range, filters, bots: false }
    // KPIs: exact but for unique visitors, the sum of each day's (a visit across midnight counts twice).
    const { estimate: sum, exact } = await expectKpis(page, scope)
    console.log(`unique visitors of ${country} over 12 months: sum of days ${sum}, exact ${exact}`)
    expect(sum).toBeGreaterThanOrEqual(exact * 0.99)
    expect(sum / exact).toBeLessThan(1.02)
    await expectBreakdowns(page, scope)
    // The slices of the country dimension, listed in one request and each file once; no day or month file
    // of the aggregates, and raw events of today only.
    expect(requests.filter((p) => p.startsWith('/api/aggregates'))).toEqual([expect.stringContaining('slice=country')])
    const aggFiles = requests.filter((p) => p.startsWith('/data/aggregates/'))
    expect(aggFiles.length).toBeGreaterThanOrEqual(11)
    expect(aggFiles.every((p) => p.endsWith('.by-country.parquet'))).toBe(true)
    expect(new Set(aggFiles).size).toBe(aggFiles.length)
    expect(requests.filter((p) => p.startsWith('/data/events/')).length).toBeLessThanOrEqual(30)
    await page.close()
  })

  it("draws the 12 months' chart from the aggregates before DuckDB has loaded them, equal to native DuckDB and then to the events' chart", async () => {
    const page = await browser.newPage()
    await page.goto(`${stack.url}/dashboard/?range=12mo#token=${TOKEN}`)
    // The chart's values: its list for screen readers (Chart.tsx), bucket by bucket.
    const bars = (source: string) =>
      page.$eval(`[data-testid=timeseries][data-source=${source}] [data-testid=chart]`, (fig) =>
        [...fig.querySelectorAll<HTMLElement>('li[data-t]')].map((li) => [
          li.dataset.t!,
          Number(li.querySelector<HTMLElement>('[data-line="0"]')!.dataset.value),
        ]),
      )
    await page.waitForSelector('[data-testid=timeseries][data-source=rollups] [data-testid=chart] canvas', { timeout: 90_000 })
    const early = await bars('rollups')
    // Drawn before the load finished (the panels and their numbers wait for DuckDB).
    expect(await page.$('[data-testid=top-pages]')).toBeNull()
    const range = rangeOf(parseState('?range=12mo'), Number(await page.getAttribute('main', 'data-now')))
    const want = (await native.run(series({ range, filters: [], bots: false }, seriesBucket({}, range, true)))).map((r) => [
      (r.t as Date).toISOString().slice(0, 19).replace('T', ' '),
      r.pageviews,
    ])
    expect(want.length).toBeGreaterThanOrEqual(45) // by week, from the first day of the month 11 months ago
    expect(early).toEqual(want)
    await settled(page)
    await page.waitForSelector('[data-testid=timeseries][data-source=events] [data-testid=chart] canvas', { timeout: 90_000 })
    expect(await bars('events')).toEqual(early)
    await page.close()
  })
})
