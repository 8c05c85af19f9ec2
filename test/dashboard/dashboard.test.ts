/**
 * The dashboard in real Chromium on the real local stack, with a known dataset sent through POST /e:
 * every panel shows what native DuckDB computes with the same SQL on the same lake files; row clicks,
 * comparison, the progress bar, the Cache Storage reload, the SQL console, CSV and the token flow.
 * Screenshots of every view go to test-results/screenshots/.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Query } from '../../warehouse/sql/query.ts'
import { bucketFor } from '../../warehouse/sql/buckets.ts'
import type { NativeLake } from '../../warehouse/native.ts'
import { toCsv } from '../../dashboard/src/csv.ts'
import { displayCells, formatCell } from '../../dashboard/src/format.ts'
import { BREAKDOWNS, KPIS, change } from '../../dashboard/src/panels.ts'
import { eventCount, series } from '../../warehouse/sql/overview.ts'
import { opts, type ViewScope } from '../../warehouse/sql/view.ts'
import { botsByReason, createDroppedRaw, droppedByReason } from '../../warehouse/sql/dropped.ts'
import { previousOf } from '../../dashboard/src/state.ts'
import { parseSteps } from '../../dashboard/src/views/Funnels.tsx'
import { realtimePanels } from '../../dashboard/src/views/Realtime.tsx'
import { streamSpec, STREAM_LINES, STREAM_ROWS } from '../../dashboard/src/views/Streams.tsx'
import { breakdown, customEvents, eventProps, propKeys } from '../../warehouse/sql/breakdowns.ts'
import { kpis } from '../../warehouse/sql/kpis.ts'
import { funnel } from '../../warehouse/sql/funnels.ts'
import { orders } from '../../warehouse/sql/orders.ts'
import { retention } from '../../warehouse/sql/retention.ts'
import { users, usersBy } from '../../warehouse/sql/users.ts'
import { windows } from '../../warehouse/sql/windows.ts'
import { launchChromium } from '../helpers/browser.ts'
import { openPanel } from '../helpers/panels.ts'
import { downloadLake, listFiles, type ListedFile } from '../helpers/lake.ts'
import { freePort, startStack, waitFor, type Stack } from '../helpers/stack.ts'
import { makeDataset, postDataset, type Dataset } from './dataset.ts'
import { HOUR } from '../../warehouse/time.ts'

const SHOTS = 'test-results/screenshots'
let stack: Stack
let browser: BrowserContext
let data: Dataset
let files: ListedFile[]
let native: NativeLake
let range: { from: number; to: number }
let base: string

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true })
  browser = await launchChromium()
  stack = await startStack({ port: await freePort() })
  data = makeDataset(Date.now())
  const accepted = await postDataset(stack, data)
  // One refused event, for the drop ledger (Filtered traffic).
  await fetch(`${stack.url}/e`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer demo-server-key' },
    body: JSON.stringify({
      site: 'demo',
      sentAt: Date.now(),
      events: [{ id: 'bad-000001', type: 'pageview', ts: Date.now(), url: 'not a url' }],
    }),
  })
  range = { from: data.from - HOUR, to: data.to + 5 * 60_000 }
  await waitFor(async () => (await listFiles(stack, 'demo', range.from, range.to)).reduce((n, f) => n + f.rows, 0) >= accepted, 60_000)
  await waitFor(async () => (await listDropped()).length > 0, 30_000)
  files = await listFiles(stack, 'demo', range.from, range.to)
  native = await loadNative(files)
  base = `${stack.url}/dashboard/?range=custom&from=${new Date(range.from).toISOString()}&to=${new Date(range.to).toISOString()}`
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

async function listDropped(): Promise<ListedFile[]> {
  const q = new URLSearchParams({ site: 'demo', table: 'dropped', from: String(Date.now() - 2 * HOUR), to: String(Date.now() + HOUR) })
  const res = await fetch(`${stack.url}/api/files?${q}`, { headers: { Authorization: `Bearer ${stack.token}` } })
  return ((await res.json()) as { files: ListedFile[] }).files
}

/** Native DuckDB over the same files, drop ledger included. */
async function loadNative(events: ListedFile[]): Promise<NativeLake> {
  const { lake } = await downloadLake(stack, events)
  await lake.conn.run(createDroppedRaw)
  const dir = await mkdtemp(join(tmpdir(), 'footfall-dropped-'))
  for (const [i, f] of (await listDropped()).entries()) {
    const res = await fetch(stack.url + f.url, { headers: { Authorization: `Bearer ${stack.token}` } })
    await writeFile(join(dir, `${i}.parquet`), new Uint8Array(await res.arrayBuffer()))
    await lake.conn.run(`INSERT INTO dropped_raw BY NAME SELECT * FROM read_parquet('${join(dir, `${i}.parquet`)}')`)
  }
  return lake
}

/** Native DuckDB's answer, printed as the dashboard prints a table (the columns it shows). */
async function expected(q: Query, columns?: readonly string[]): Promise<string[][]> {
  const rows = await native.run(q)
  const cols = columns ? [...columns] : Object.keys(rows[0] ?? {})
  return rows.map((r) => displayCells(cols, r))
}

/** Waits until the dashboard has loaded and no panel has a query in flight. */
async function settled(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=load-stats]', { timeout: 60_000 })
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { timeout: 60_000 })
}

async function rows(page: Page, testid: string): Promise<string[][]> {
  return page.$$eval(`[data-testid="${testid}"] tbody tr`, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  )
}

async function kpiValues(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-testid^=kpi-]:not([data-testid$=-change])', (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-testid')!.slice(4), e.textContent ?? ''])),
  )
}

async function expectedKpis(s: ViewScope, prev = false): Promise<Record<string, string>> {
  const [k] = await native.run(kpis(s.range, opts(s)))
  const [e] = await native.run(eventCount(prev ? { ...s, range: previousOf(s.range) } : s))
  const row: Record<string, unknown> = { ...k, events: e!.events }
  return Object.fromEntries(
    KPIS.map(([key]) => [key, formatCell(key, Number((prev && key !== 'events' ? row[`prev_${key}`] : row[key]) ?? 0))]),
  )
}

const scope = (extra: Partial<ViewScope> = {}): ViewScope => ({ range, filters: [], bots: false, ...extra })

/** A stream chart's lines: its groups with the most events first (at most STREAM_LINES), from native DuckDB. */
async function streamGroups(q: Query, by: string): Promise<string[]> {
  const sums = new Map<string, number>()
  for (const r of await native.run(q)) sums.set(String(r[by] ?? '(none)'), (sums.get(String(r[by] ?? '(none)')) ?? 0) + Number(r.events))
  return [...sums]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, STREAM_LINES)
    .map(([g]) => g)
}

describe('dashboard on the local stack', () => {
  it('downloads every file once with a progress bar, then serves a reload from Cache Storage', async () => {
    const page = await browser.newPage()
    const fetched: string[] = []
    page.on('request', (r) => r.url().includes('/data/') && fetched.push(r.url()))
    // Records every state of the progress bar as the page sees it.
    await page.addInitScript(() => {
      const seen: string[] = ((window as unknown as { __progress: string[] }).__progress = [])
      new MutationObserver(() => {
        const p = document.querySelector('[data-testid=progress]')
        if (p)
          seen.push(
            `${p.getAttribute('data-files')}/${p.getAttribute('data-total-files')} ${p.getAttribute('data-bytes')}/${p.getAttribute('data-total-bytes')}`,
          )
      }).observe(document, { subtree: true, childList: true, attributes: true })
    })
    await page.goto(`${base}#token=${stack.token}`)
    await settled(page)
    const totalBytes = files.reduce((n, f) => n + f.bytes, 0)
    expect(files.length).toBeGreaterThan(3)
    expect(new Set(fetched).size).toBe(files.length)
    expect(fetched.length).toBe(files.length)
    const seen = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress)
    expect(seen).toContain(`0/${files.length} 0/${totalBytes}`)
    expect(seen.at(-1)).toBe(`${files.length}/${files.length} ${totalBytes}/${totalBytes}`)
    expect(seen.length).toBeGreaterThan(files.length) // it moved file by file, chunk by chunk
    expect(await page.getAttribute('[data-testid=load-stats]', 'data-network')).toBe(String(files.length))
    await page.screenshot({ path: `${SHOTS}/overview.png`, fullPage: true })

    fetched.length = 0
    await page.reload()
    await settled(page)
    expect(fetched).toEqual([])
    expect(await page.getAttribute('[data-testid=load-stats]', 'data-cache')).toBe(String(files.length))
    expect(await kpiValues(page)).toMatchObject(await expectedKpis(scope()))
    await page.close()
  })

  it('shows on every overview panel what native DuckDB computes on the same files', async () => {
    const page = await browser.newPage()
    await page.goto(`${base}#token=${stack.token}`)
    await settled(page)
    expect(await kpiValues(page)).toEqual(await expectedKpis(scope()))
    const k = await native.run(kpis(range, opts(scope())))
    expect(k[0]!.pageviews).toBeGreaterThan(100)
    for (const b of BREAKDOWNS) {
      await openPanel(page, b.testid)
      expect([b.testid, await rows(page, b.testid)]).toEqual([b.testid, await expected(b.query(scope()), b.columns)])
    }
    await openPanel(page, 'countries')
    expect((await rows(page, 'countries')).length).toBe(2)
    const [first] = await native.run(customEvents(range, opts(scope())))
    const [firstKey] = await native.run(propKeys(range, String(first!.name), opts(scope())))
    expect(await rows(page, 'props')).toEqual(
      await expected(eventProps(range, String(first!.name), String(firstKey!.key), { ...opts(scope()), limit: 10 })),
    )
    const bars = await page.$$eval('[data-testid=chart] li [data-line="0"]', (els) => els.map((e) => Number(e.getAttribute('data-value'))))
    const s = await native.run(series(scope(), bucketFor(range)))
    expect(bars).toEqual(s.map((r) => Number(r.pageviews)))
    expect(bars.reduce((a, b) => a + b, 0)).toBe(k[0]!.pageviews)
    // Bots are left out by default; the switch brings them back.
    await page.click('[data-testid=bots]')
    await page.waitForURL(/bots=1/)
    await settled(page)
    expect(await kpiValues(page)).toEqual(await expectedKpis(scope({ bots: true })))
    expect(Number((await kpiValues(page)).visitors)).toBeGreaterThan(Number(k[0]!.visitors))
    await page.screenshot({ path: `${SHOTS}/overview-bots.png`, fullPage: true })
    await page.close()
  })

  it('filters by a clicked row: the URL holds the filter and the numbers follow; is not and contains too', async () => {
    const page = await browser.newPage()
    await page.goto(`${base}#token=${stack.token}`)
    await settled(page)
    const [country] = (await rows(page, 'countries'))[0]!
    await page.click(`[data-testid=countries] tbody tr:first-child button.pick`)
    await page.waitForURL(new RegExp(`f=country%3Ais%3A${country}`))
    await settled(page)
    const filtered = scope({ filters: [{ dim: 'country', op: 'is', value: country! }] })
    expect(await kpiValues(page)).toEqual(await expectedKpis(filtered))
    expect(await kpiValues(page)).not.toEqual(await expectedKpis(scope()))
    expect(await rows(page, 'top-pages')).toEqual(await expected(BREAKDOWNS[0]!.query(filtered), BREAKDOWNS[0]!.columns))
    expect(await rows(page, 'top-pages')).not.toEqual(await expected(BREAKDOWNS[0]!.query(scope()), BREAKDOWNS[0]!.columns))
    await page.screenshot({ path: `${SHOTS}/overview-filtered.png`, fullPage: true })

    await page.selectOption('[data-testid=filter-chip] select', 'is_not')
    await page.waitForURL(/f=country%3Ais_not%3A/)
    await settled(page)
    expect(await kpiValues(page)).toEqual(await expectedKpis(scope({ filters: [{ dim: 'country', op: 'is_not', value: country! }] })))

    // A typed filter with SQL in it is a parameter, not SQL; a bookmark reproduces the view.
    const evil = "shop' OR 1=1 --"
    await page.goto(`${base}&f=${encodeURIComponent(`path:contains:${evil}`)}&f=path:contains:shop`)
    await settled(page)
    expect(await kpiValues(page)).toEqual(
      await expectedKpis(
        scope({
          filters: [
            { dim: 'path', op: 'contains', value: evil },
            { dim: 'path', op: 'contains', value: 'shop' },
          ],
        }),
      ),
    )
    expect((await kpiValues(page)).pageviews).toBe('0')
    await page.goto(`${base}&f=path:contains:shop`)
    await settled(page)
    const shop = await expectedKpis(scope({ filters: [{ dim: 'path', op: 'contains', value: 'shop' }] }))
    expect(Number(shop.pageviews)).toBeGreaterThan(0)
    expect(await kpiValues(page)).toEqual(shop)
    await page.close()
  })

  it('compares with the previous period', async () => {
    const page = await browser.newPage()
    const half = { from: data.to - 20 * HOUR, to: data.to + 5 * 60_000 }
    await page.goto(
      `${stack.url}/dashboard/?range=custom&from=${new Date(half.from).toISOString()}&to=${new Date(half.to).toISOString()}&compare=1#token=${stack.token}`,
    )
    await settled(page)
    const now = await expectedKpis(scope({ range: half }))
    const before = await expectedKpis(scope({ range: half }), true)
    // The library's previous period, computed on its own, agrees with the prev_* columns.
    expect(await expectedKpis(scope({ range: previousOf(half) }))).toEqual(before)
    expect(await kpiValues(page)).toEqual(now)
    expect(Number(before.pageviews)).toBeGreaterThan(0)
    const [raw] = await native.run(kpis(half, opts(scope())))
    for (const [key] of KPIS) {
      const el = `[data-testid=kpi-${key}-change]`
      expect(await page.getAttribute(el, 'data-previous')).toBe(before[key])
      if (key === 'events') continue
      const c = change(Number(raw![key] ?? 0), raw![`prev_${key}`] as number)
      expect(await page.textContent(el)).toContain(c === null ? '–' : `${c > 0 ? '+' : ''}${c}%`)
    }
    await page.screenshot({ path: `${SHOTS}/overview-compare.png`, fullPage: true })
    await page.close()
  })

  it('realtime, streams, funnels and orders, users, filtered traffic: each panel equals native DuckDB', async () => {
    const page = await browser.newPage()
    await page.goto(`${stack.url}/dashboard/?view=realtime#token=${stack.token}`)
    await settled(page)
    const now = Number(await page.getAttribute('main', 'data-now'))
    for (const [testid, , q, columns] of realtimePanels(now, { filters: [], bots: false })) {
      expect([testid, await rows(page, testid)]).toEqual([testid, await expected(q, columns)])
    }
    expect(Number((await rows(page, 'rt-current'))[0]![1])).toBeGreaterThan(0)
    expect((await rows(page, 'rt-feed')).length).toBeGreaterThan(0)
    await page.screenshot({ path: `${SHOTS}/realtime.png`, fullPage: true })

    await page.goto(`${base}&view=streams#token=${stack.token}`)
    await settled(page)
    const hop = streamSpec({})
    expect(hop.spec).toEqual({ kind: 'hopping', sizeMs: 300_000, slideMs: 10_000 }) // 5 minutes sliding every 10 seconds
    const hopQ = windows(range, hop.spec, { ...opts(scope()), by: hop.by })
    // The latest windows, newest first.
    expect(await rows(page, 'stream')).toEqual((await expected(hopQ)).slice(-STREAM_ROWS).reverse())
    expect(
      await page.$$eval('[data-testid=stream-chart] li:first-child [data-line]', (els) => els.map((e) => e.getAttribute('data-label'))),
    ).toEqual(await streamGroups(hopQ, 'name'))
    expect(await page.textContent('[data-testid=stream-sql]')).toBe(hopQ.sql)
    await page.selectOption('[data-testid=stream-kind]', 'session')
    await page.waitForURL(/window=session/)
    await page.selectOption('[data-testid=stream-by]', 'country')
    await page.waitForURL(/by=country/)
    await settled(page)
    const ses = streamSpec({ window: 'session', by: 'country' })
    expect(await rows(page, 'stream')).toEqual(
      (await expected(windows(range, ses.spec, { ...opts(scope()), by: ses.by }))).slice(-STREAM_ROWS).reverse(),
    )
    await page.screenshot({ path: `${SHOTS}/streams.png`, fullPage: true })

    const steps = 'path:/,name:add_to_cart,name:order'
    await page.goto(`${base}&view=funnels&steps=${steps}#token=${stack.token}`)
    await settled(page)
    const f = await expected(funnel(range, parseSteps(steps), { ...opts(scope()), within: 'session' }))
    expect(await rows(page, 'funnel')).toEqual(f)
    expect(f.map((r) => r[1])).toEqual(['path /', 'name add_to_cart', 'name order'])
    expect(await rows(page, 'orders')).toEqual(await expected(orders(range, { ...opts(scope()), orderEvent: 'order' })))
    expect(Number((await rows(page, 'orders'))[0]![0])).toBeGreaterThan(0)
    expect(await rows(page, 'retention')).toEqual(await expected(retention(range, { ...opts(scope()), weeks: 4 })))
    expect((await rows(page, 'retention')).length).toBeGreaterThan(0)
    await page.screenshot({ path: `${SHOTS}/funnels.png`, fullPage: true })

    await page.goto(`${base}&view=users&group=country&trait=age#token=${stack.token}`)
    await settled(page)
    expect(await rows(page, 'users-by')).toEqual(await expected(usersBy(range, 'country', 'age', opts(scope()))))
    expect((await rows(page, 'users-by')).length).toBeGreaterThan(0)
    expect(await rows(page, 'users')).toEqual(await expected(users(range, { ...opts(scope()), limit: 50 })))
    await page.screenshot({ path: `${SHOTS}/users.png`, fullPage: true })

    const wide = { from: data.from - HOUR, to: Date.now() + HOUR }
    await page.goto(
      `${stack.url}/dashboard/?view=filtered&range=custom&from=${new Date(wide.from).toISOString()}&to=${new Date(wide.to).toISOString()}#token=${stack.token}`,
    )
    await settled(page)
    expect(await rows(page, 'dropped')).toEqual(await expected(droppedByReason(wide)))
    expect((await rows(page, 'dropped'))[0]!.slice(0, 2)).toEqual(['invalid', 'url'])
    expect(await rows(page, 'bots')).toEqual(await expected(botsByReason(wide)))
    await page.screenshot({ path: `${SHOTS}/filtered.png`, fullPage: true })
    await page.close()
  })

  it('runs SQL in the console and exports it and a panel as CSV', async () => {
    const page = await browser.newPage()
    // From the overview (which loads only its columns) to the console, which must see every column
    // (scroll_depth is not one of the overview's): the events are loaded again with all of them.
    await page.goto(`${base}#token=${stack.token}`)
    await settled(page)
    const version = Number(await page.getAttribute('main', 'data-version'))
    await page.click('[data-testid=nav-sql]')
    await page.waitForFunction((v) => Number(document.querySelector('main')?.getAttribute('data-version')) > v, version)
    await settled(page)
    const sql = `SELECT country, count(*) AS events, count(DISTINCT visitor_id) AS visitors, round(avg(scroll_depth), 1) AS depth FROM events GROUP BY country ORDER BY events DESC, country`
    await page.fill('[data-testid=sql-text]', sql)
    await page.press('[data-testid=sql-text]', 'Control+Enter')
    await page.waitForURL(/sql=SELECT/)
    await settled(page)
    const want = await native.run({ sql, params: [] })
    const cols = ['country', 'events', 'visitors', 'depth']
    expect(await rows(page, 'sql-result')).toEqual(want.map((r) => displayCells(cols, r)))
    await page.screenshot({ path: `${SHOTS}/sql.png`, fullPage: true })
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=sql-result-csv]')])
    const printed = (r: Record<string, unknown>) => Object.fromEntries(cols.map((c) => [c, formatCell(c, r[c])]))
    expect(await readFile((await download.path())!, 'utf8')).toBe(toCsv(cols, want.map(printed)))

    await page.goto(`${base}#token=${stack.token}`)
    await settled(page)
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=top-pages-csv]')])
    expect(csv.suggestedFilename()).toBe('top-pages.csv')
    const pages = await native.run(breakdown(range, 'path', { ...opts(scope()), type: 'pageview', limit: 10 }))
    const pcols = ['value', 'visitors', 'pageviews']
    const csvText = await readFile((await csv.path())!, 'utf8')
    expect(csvText).toBe(
      toCsv(
        pcols,
        pages.map((r) => Object.fromEntries(pcols.map((c) => [c, formatCell(c, r[c])]))),
      ),
    )
    expect(csvText.split('\r\n')[0]).toBe('value,visitors,pageviews')
    await page.close()
  })

  it('asks for the token, says why on a wrong one, and keeps it for the tab only', async () => {
    const page = await browser.newPage()
    // The assertions wait for the alert themselves; the window's load event once took over 30 s on the busy machine.
    await page.goto(`${base}#token=wrong`, { waitUntil: 'domcontentloaded' })
    await expect(page.getByRole('alert').textContent({ timeout: 30_000 })).resolves.toMatch(/Sign-in failed \(HTTP 403\): wrong token/)
    expect(await page.evaluate(() => sessionStorage.getItem('footfall.token'))).toBeNull()
    await page.screenshot({ path: `${SHOTS}/sign-in.png`, fullPage: true })
    await page.fill('input[name=token]', stack.token)
    await page.press('input[name=token]', 'Enter')
    await settled(page)
    expect(await kpiValues(page)).toEqual(await expectedKpis(scope()))
    // Another tab has no token: it asks.
    const other = await browser.newPage()
    await other.goto(base)
    expect(await other.locator('input[name=token]').count()).toBe(1)
    expect(await other.evaluate(() => localStorage.length)).toBe(0)
    await other.close()
    await page.close()
  })

  it('loads only new files on refresh (realtime polling takes the same path)', async () => {
    const page = await browser.newPage()
    const fetched: string[] = []
    page.on('request', (r) => r.url().includes('/data/') && fetched.push(r.url()))
    await page.goto(`${base}#token=${stack.token}`)
    await settled(page)
    expect(fetched).toEqual([])
    const more = makeDataset(Date.now(), 5, 1, 99)
    more.events.forEach((e, i) => (e.id = `more-${String(i).padStart(6, '0')}`))
    const accepted = await postDataset(stack, more, 100)
    await waitFor(
      async () =>
        (await listFiles(stack, 'demo', range.from, range.to)).reduce((n, f) => n + f.rows, 0) >=
        files.reduce((n, f) => n + f.rows, 0) + accepted,
      30_000,
    )
    const now = await listFiles(stack, 'demo', range.from, range.to)
    const fresh = now.filter((f) => !files.some((g) => g.key === f.key))
    expect(fresh.length).toBeGreaterThan(0)
    await page.click('text=Refresh')
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=load-stats]')?.getAttribute('data-files') === String(n),
      fresh.length,
    )
    await settled(page)
    expect(fetched.map((u) => decodeURIComponent(new URL(u).pathname.slice(6))).sort()).toEqual(fresh.map((f) => f.key).sort())
    native = await loadNative(now)
    expect(await kpiValues(page)).toEqual(await expectedKpis(scope()))
    await page.close()
  })
})
