/**
 * Scenario 6, injection: paths, titles, event names and properties holding quotes, SQL, `</script>`,
 * `<img onerror>`, bidi controls, zero-width joiners, astral emoji and NUL are sent over HTTP as a browser
 * would, stored verbatim (read back with hyparquet), shown as text by the dashboard in Chromium (no element
 * is created from them, nothing runs, no dialog; each cell's text is the stored value), and clicking them as
 * filters, bookmarking those filters and querying them in the SQL console gives native DuckDB's numbers.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { displayCells, formatCell } from '../../dashboard/src/format.ts'
import { BREAKDOWNS, KPIS } from '../../dashboard/src/panels.ts'
import { eventCount } from '../../warehouse/sql/overview.ts'
import { opts, type ViewScope } from '../../warehouse/sql/view.ts'
import type { NativeLake } from '../../warehouse/native.ts'
import { customEvents, eventProps } from '../../warehouse/sql/breakdowns.ts'
import type { Filter } from '../../warehouse/sql/filters.ts'
import { kpis } from '../../warehouse/sql/kpis.ts'
import type { Query } from '../../warehouse/sql/query.ts'
import { launchChromium } from '../helpers/browser.ts'
import { downloadLake, listFiles } from '../helpers/lake.ts'
import { freePort, startStack, type Stack } from '../helpers/stack.ts'
import { dashboardUrl, settled, tableRows, watchedPage, type Watched } from './support/input-dashboard.ts'
import { batch, postEvents, waitForRows } from './support/input-http.ts'

/** The hostile values: each is a page path, a title, a custom event name and a property value. */
const HOSTILE = [
  `O'Brien said "hi" \`x\` \\ done`,
  `'; DROP TABLE events; --`,
  `1' OR '1'='1`,
  `</script><script>window.__pwned='script'</script>`,
  `<img src=x onerror="window.__pwned='img'">`,
  `\u202Eevil\u202C \u200B\u200D\u2066x\u2069 👩‍👩‍👧‍👦 𝕏 e\u0301`,
  `nul\u0000byte`,
]
const KEY = `k'"<b>` // a property key that is itself hostile (stored, listed; not a filter dimension)
const N = HOSTILE.length

let stack: Stack
let browser: BrowserContext
let native: NativeLake
let range: { from: number; to: number }
const t0 = Date.now()
const sent: Record<string, unknown>[] = []

beforeAll(async () => {
  ;[stack, browser] = await Promise.all([freePort().then((port) => startStack({ port })), launchChromium()])
  // Value i: i + 1 pageviews of its path, N - i custom events of its name, so every panel's order is fixed.
  HOSTILE.forEach((v, i) => {
    for (let j = 0; j <= i; j++)
      sent.push({ id: `inj-p-${i}-${j}`, type: 'pageview', ts: t0 - 600_000 + i * 1000 + j, url: `http://localhost/inj/${v}`, title: v })
    for (let j = 0; j < N - i; j++)
      sent.push({
        id: `inj-e-${i}-${j}`,
        type: 'event',
        name: v,
        ts: t0 - 300_000 + i * 1000 + j,
        url: `http://localhost/inj/${v}`,
        title: v,
        props: { v, [KEY]: v },
      })
  })
  const a = await postEvents(stack, batch(sent))
  expect([a.status, a.json]).toEqual([202, { accepted: sent.length, rejected: [] }])
  await waitForRows(stack, (rows) => rows.length === sent.length)
  range = { from: t0 - 3_600_000, to: t0 + 60_000 }
  native = (await downloadLake(stack, await listFiles(stack, 'demo', range.from, range.to))).lake
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const scope = (filters: Filter[] = []): ViewScope => ({ range, filters, bots: false })

async function expected(q: Query, columns: readonly string[]): Promise<string[][]> {
  return (await native.run(q)).map((r) => displayCells([...columns], r))
}

async function expectedKpis(s: ViewScope): Promise<Record<string, string>> {
  const [k] = await native.run(kpis(s.range, opts(s)))
  const [e] = await native.run(eventCount(s))
  const row: Record<string, unknown> = { ...k, events: e!.events }
  return Object.fromEntries(KPIS.map(([key]) => [key, formatCell(key, Number(row[key] ?? 0))]))
}

async function kpiValues(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-testid^=kpi-]:not([data-testid$=-change])', (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-testid')!.slice(4), e.textContent ?? ''])),
  )
}

/** Waits (up to 20 s) for the KPI row to show `want`: after a click the panels re-query a moment later. */
async function kpisBecome(page: Page, want: Record<string, string>): Promise<void> {
  await page
    .waitForFunction(
      (w) => Object.entries(w).every(([k, v]) => document.querySelector(`[data-testid=kpi-${k}]`)?.textContent === v),
      want,
      { timeout: 20_000 },
    )
    .catch(() => {})
  await settled(page)
}

/** Nothing ran and nothing was built from the values: no dialog, error, violation, flag, or element of theirs. */
async function inert(w: Watched): Promise<void> {
  expect(await w.page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined()
  expect(await w.page.evaluate(() => document.querySelectorAll('img, main script, iframe, object, embed').length)).toBe(0)
  expect(w.dialogs).toEqual([])
  expect(w.errors).toEqual([])
  expect(await w.violations()).toEqual([])
}

describe('hostile text end to end', () => {
  it('is stored verbatim: titles, names and properties as sent, paths as the URL parser gives them', async () => {
    const rows = await waitForRows(stack, (rows) => rows.length === sent.length)
    const byId = new Map(rows.map((r) => [r.event_id, r]))
    for (const e of sent) {
      const r = byId.get(e.id)!
      expect([e.id, r.title, r.path]).toEqual([e.id, e.title, new URL(e.url as string).pathname])
      if (e.type === 'event') {
        expect(r.name).toBe(e.name)
        expect(typeof r.props === 'string' ? JSON.parse(r.props) : r.props).toEqual(e.props)
      }
    }
    // The URL parser percent-encodes what a path may not hold (<, >, ", space, NUL); quotes and SQL stay.
    expect(byId.get('inj-p-1-0')!.path).toBe("/inj/';%20DROP%20TABLE%20events;%20--")
  })

  it('renders every value as text, nothing runs, and the panels equal native DuckDB', async () => {
    const w = await watchedPage(browser)
    await w.page.goto(dashboardUrl(stack, range.from, range.to, `&event=${encodeURIComponent(HOSTILE[1]!)}&prop=v`))
    await settled(w.page)
    expect(await kpiValues(w.page)).toEqual(await expectedKpis(scope()))
    // Custom events: the names, as text, in native DuckDB's order (most events first).
    const names = await tableRows(w.page, 'custom-events')
    expect(names).toEqual(await expected(customEvents(range, { ...opts(scope()), limit: 10 }), ['name', 'events', 'visitors']))
    expect(names.map((r) => r[0])).toEqual(HOSTILE)
    expect(await tableRows(w.page, 'top-pages')).toEqual(await expected(BREAKDOWNS[0]!.query(scope()), BREAKDOWNS[0]!.columns))
    expect(await tableRows(w.page, 'props')).toEqual(
      await expected(eventProps(range, HOSTILE[1]!, 'v', { ...opts(scope()), limit: 10 }), ['value', 'events', 'visitors']),
    )
    // The event picker lists the hostile names as option text; the property picker offers the keys a filter
    // can name ('v'), not the hostile key (stored verbatim above, but no dimension can name it).
    const options = await w.page.$$eval('.prop-pick option', (os) => os.map((o) => o.textContent))
    expect(options).toEqual([...HOSTILE, 'v'])
    await inert(w)

    // A link naming the hostile key as the property to show is ignored, not a broken page.
    await w.page.goto(
      dashboardUrl(stack, range.from, range.to, `&event=${encodeURIComponent(HOSTILE[1]!)}&prop=${encodeURIComponent(KEY)}`),
    )
    await settled(w.page)
    expect(await kpiValues(w.page)).toEqual(await expectedKpis(scope()))
    expect(await w.page.getAttribute('[data-testid=props]', 'data-state')).toBe('loading')
    await inert(w)
    await w.page.close()
  })

  // Seven names, each opened, filtered and reloaded (21 openings of the dashboard): ~30 s a name on 2 busy cores.
  it('filters by each clicked name; the bookmark of the filter gives the same numbers', { timeout: 400_000 }, async () => {
    const w = await watchedPage(browser)
    for (const [i, v] of HOSTILE.entries()) {
      await w.page.goto(dashboardUrl(stack, range.from, range.to))
      await settled(w.page)
      await w.page.click(`[data-testid=custom-events] tbody tr:nth-child(${i + 1}) button.pick`)
      await w.page.waitForFunction(() => new URLSearchParams(location.search).getAll('f').length === 1)
      await settled(w.page)
      expect(await w.page.evaluate(() => new URLSearchParams(location.search).get('f'))).toBe(`name:is:${v}`)
      expect(await w.page.textContent('[data-testid=filter-chip] strong')).toBe(v)
      const filtered = scope([{ dim: 'name', op: 'is', value: v }])
      const want = await expectedKpis(filtered)
      await kpisBecome(w.page, want)
      expect([i, await kpiValues(w.page)]).toEqual([i, want])
      expect(want.events).toBe(String(N - i))
      expect(await tableRows(w.page, 'custom-events')).toEqual(
        await expected(customEvents(range, { ...opts(filtered), limit: 10 }), ['name', 'events', 'visitors']),
      )
      await w.page.reload()
      await settled(w.page)
      expect([i, await kpiValues(w.page)]).toEqual([i, want])
    }
    await inert(w)
    await w.page.close()
  })

  it('filters by a clicked path and a clicked property value', async () => {
    const w = await watchedPage(browser)
    await w.page.goto(dashboardUrl(stack, range.from, range.to))
    await settled(w.page)
    const pages = await tableRows(w.page, 'top-pages')
    const row = pages.findIndex((r) => r[0] === "/inj/1'%20OR%20'1'='1")
    expect(row).toBeGreaterThanOrEqual(0)
    await w.page.click(`[data-testid=top-pages] tbody tr:nth-child(${row + 1}) button.pick`)
    await w.page.waitForFunction(() => new URLSearchParams(location.search).getAll('f').length === 1)
    await settled(w.page)
    const byPath = await expectedKpis(scope([{ dim: 'path', op: 'is', value: "/inj/1'%20OR%20'1'='1" }]))
    await kpisBecome(w.page, byPath)
    expect(await kpiValues(w.page)).toEqual(byPath)
    expect(byPath.pageviews).toBe('3')

    // Property values read as sent, quotes and backslashes included (control characters such as NUL stay
    // JSON-escaped: warehouse/sql/dimensions.ts, prop()), and filter by a click.
    for (const i of [0, 3]) {
      const v = HOSTILE[i]!
      await w.page.goto(dashboardUrl(stack, range.from, range.to, `&event=${encodeURIComponent(v)}&prop=v`))
      await settled(w.page)
      expect(await tableRows(w.page, 'props')).toEqual([[v, String(N - i), '1']])
      await w.page.click('[data-testid=props] tbody tr:first-child button.pick')
      await w.page.waitForFunction(() => new URLSearchParams(location.search).getAll('f').length === 1)
      await settled(w.page)
      expect(await w.page.evaluate(() => new URLSearchParams(location.search).get('f'))).toBe(`prop:v:is:${v}`)
      const byProp = await expectedKpis(scope([{ dim: 'prop:v', op: 'is', value: v }]))
      await kpisBecome(w.page, byProp)
      expect(await kpiValues(w.page)).toEqual(byProp)
      expect(byProp.events).toBe(String(N - i))
    }
    await inert(w)
    await w.page.close()
  })

  it('queries them in the SQL console: results shown as text equal native DuckDB', async () => {
    const w = await watchedPage(browser)
    const queries = [
      `SELECT title, count(*) AS n FROM events GROUP BY title ORDER BY n DESC, title`,
      `SELECT count(*) AS n FROM events WHERE title = '''; DROP TABLE events; --'`,
      `SELECT name, props FROM events WHERE type = 'event' AND name LIKE '%<img%' ORDER BY event_id LIMIT 3`,
    ]
    for (const q of queries) {
      await w.page.goto(dashboardUrl(stack, range.from, range.to, `&view=sql&sql=${encodeURIComponent(q)}`))
      await settled(w.page)
      // A query from the URL waits for the owner's click.
      expect(await w.page.getAttribute('[data-testid=sql-result]', 'data-state')).toBe('waiting')
      await w.page.click('[data-testid=sql-run]')
      await w.page.waitForSelector('[data-testid=sql-result][data-state=ready]', { timeout: 30_000 })
      await settled(w.page)
      const want = await native.run({ sql: q, params: [] })
      const cols = Object.keys(want[0]!)
      expect([q, await tableRows(w.page, 'sql-result')]).toEqual([q, want.map((r) => displayCells(cols, r))])
    }
    expect((await native.run({ sql: queries[1]!, params: [] }))[0]!.n).toBe(2 + N - 1) // its 2 pageviews and N - 1 events
    await inert(w)
    await w.page.close()
  })
})
