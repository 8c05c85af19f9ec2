/**
 * Smoke test of `npm start` on an empty state: the process starts the stack on a free port, the demo data
 * it backfilled is listed by /api/files, live visitors keep arriving, the dashboard shows the traffic, the
 * scheduled work runs on its cron schedule (here every minute, `--cron`) and compacts, and Ctrl-C (SIGINT)
 * stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/browser.ts'
import { freePort, waitFor } from '../helpers/stack.ts'

const ROOT = join(import.meta.dirname, '../..')
const TOKEN = 'start-test-token'
let child: ChildProcess
let url = ''
let out = ''
let browser: BrowserContext
/** A server-side event 3 hours old, sent once the stack is up: it lands as a part of a closed hour. */
const LATE = { id: 'start-late-0001', ts: Date.now() - 3 * 3_600_000 }

beforeAll(async () => {
  const port = await freePort()
  url = `http://127.0.0.1:${port}`
  const state = await mkdtemp(join(tmpdir(), 'footfall-start-'))
  child = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs'), '--persist-to', state, '--cron', '* * * * *'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DASHBOARD_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  await waitFor(
    async () => out.includes('Footfall is running'),
    110_000,
    () => child.exitCode !== null,
  ).catch((e) => {
    throw new Error(`npm start did not come up: ${e.message}\n${out}`)
  })
  const sent = await fetch(`${url}/e`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer demo-server-key' },
    body: JSON.stringify({
      site: 'demo',
      sentAt: Date.now(),
      events: [{ id: LATE.id, type: 'pageview', ts: LATE.ts, url: `http://localhost:${port}/demo/late`, ip: '5.9.1.1', ua: 'node' }],
    }),
  })
  expect(sent.status).toBe(202)
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  if (child?.exitCode === null) child.kill('SIGKILL')
})

const files = async (from: number, to = Date.now() + 60_000) => {
  const res = await fetch(`${url}/api/files?site=demo&from=${from}&to=${to}`, { headers: { Authorization: `Bearer ${TOKEN}` } })
  expect(res.status).toBe(200)
  return ((await res.json()) as { files: { key: string; rows: number }[] }).files
}

describe('npm start', () => {
  it('prints the URLs and backfills 15 days of demo data, listed by /api/files', async () => {
    expect(out).toContain(`Demo shop   ${url}/demo/`)
    expect(out).toContain(`Dashboard   ${url}/dashboard/#token=${TOKEN}`)
    expect(out).toMatch(/Demo data\s+22500 events over 15 days backfilled/)
    const listed = await files(Date.now() - 16 * 86_400_000)
    const backfilled = listed.filter((f) => f.key.includes('backfill-'))
    expect(backfilled.reduce((n, f) => n + f.rows, 0)).toBe(22_500)
    expect(new Set(backfilled.map((f) => f.key.match(/date=([\d-]+)/)![1])).size).toBe(15)
  })

  it('keeps simulated visitors arriving through POST /e', async () => {
    const since = Date.now() - 120_000
    await waitFor(async () => (await files(since)).some((f) => !f.key.includes('backfill-')), 30_000)
  })

  it('shows the demo traffic on the dashboard', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    // The default range, the last 24 hours: ~1,500 backfilled events.
    await page.goto(`${url}/dashboard/#token=${TOKEN}`)
    await page.waitForSelector('[data-testid=top-pages] td', { timeout: 60_000 })
    const pageviews = Number((await page.textContent('[data-testid=kpi-pageviews]'))!.replace(/\D/g, ''))
    expect(pageviews).toBeGreaterThan(200)
    const top = await page.locator('[data-testid=top-pages] tbody tr td:first-child').allTextContents()
    expect(top).toEqual(expect.arrayContaining(['/demo/', '/demo/product', '/demo/category']))
    expect(errors).toEqual([])
  })

  it("runs the scheduled work on the cron's schedule: the closed hour's parts are compacted", async () => {
    expect(out).toContain('Cron        * * * * * (UTC): compaction, aggregates, salts, retention')
    // Parts are compacted once they are a minute old (compaction's settle time): the second run at the latest.
    const merged = (k: string) => /\/hour=\d\d\/merged-|\/\d\d-\d\d-[^/]+\.parquet$/.test(k)
    await waitFor(
      async () => {
        const covering = await files(LATE.ts, LATE.ts)
        return covering.length > 0 && covering.every((f) => merged(f.key))
      },
      180_000,
      () => child.exitCode !== null,
    )
    const covering = await files(LATE.ts, LATE.ts)
    expect(covering.map((f) => merged(f.key))).toEqual(covering.map(() => true))
    expect(out).not.toContain('scheduled work at')
  }, 200_000)

  it('stops everything on Ctrl-C', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', r))
    child.kill('SIGINT')
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))])).toBe(0)
    await waitFor(
      async () =>
        !(await fetch(`${url}/healthz`).then(
          () => true,
          () => false,
        )),
      10_000,
    )
  })
})
