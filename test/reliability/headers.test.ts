/**
 * Scenario 9, headers: the dashboard is served with a Content-Security-Policy of our own origin only (plus
 * what DuckDB-WASM and apache-arrow need: README, "Security headers") and the other secure headers; the
 * DuckDB worker script carries the policy too; the lake API's answers are nosniff, unframeable and run
 * nothing. In Chromium the dashboard loads and queries real data under that policy with no violation
 * reported, while an injected inline script is blocked (so the listener does see violations).
 * The tracker on a page whose CSP allows only our origin: test/sdk/tracker.test.ts, "works under a strict
 * Content-Security-Policy that allows only our origins" (script-tag and ESM mode).
 */
import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/browser.ts'
import { freePort, startStack, type Stack } from '../helpers/stack.ts'
import { dashboardUrl, settled, watchedPage } from './support/input-dashboard.ts'
import { batch, lakeFiles, postEvents, request, waitForRows, wireEvent } from './support/input-http.ts'

const CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
const SECURE = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'cross-origin-opener-policy': 'same-origin',
}

let stack: Stack
let browser: BrowserContext
const t0 = Date.now()

beforeAll(async () => {
  ;[stack, browser] = await Promise.all([freePort().then((port) => startStack({ port })), launchChromium()])
  const events = Array.from({ length: 12 }, (_, i) =>
    wireEvent(`csp-${String(i).padStart(6, '0')}`, { url: `http://localhost/csp/${i % 3}` }, t0 - i * 60_000),
  )
  expect((await postEvents(stack, batch(events))).status).toBe(202)
  await waitForRows(stack, (rows) => rows.length === 12)
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

const pick = (h: Headers, names: string[]) => Object.fromEntries(names.map((n) => [n, h.get(n)]))

describe('security headers', () => {
  it('serves the dashboard, its assets and the DuckDB worker with the CSP and the secure headers', async () => {
    const page = await request(stack, '/dashboard/')
    expect(page.status).toBe(200)
    expect(pick(page.headers, Object.keys(SECURE))).toEqual(SECURE)
    const script = page.text.match(/src="(\/dashboard\/assets\/[^"]+\.js)"/)![1]!
    for (const path of [script, '/dashboard/duckdb/duckdb-browser-eh.worker.js', '/dashboard/duckdb/duckdb-eh.wasm']) {
      const res = await fetch(stack.url + path, { method: 'HEAD' })
      expect([path, res.status, pick(res.headers, Object.keys(SECURE))]).toEqual([path, 200, SECURE])
    }
  })

  it('marks the lake API answers nosniff, unframeable and inert, with no CORS', async () => {
    const [file] = await lakeFiles(stack)
    const auth = { Authorization: `Bearer ${stack.token}`, Origin: 'http://evil.example' }
    for (const [path, headers, status] of [
      ['/api/files?site=demo', auth, 200],
      ['/api/files?site=demo', {}, 401],
      [file!.url, auth, 200],
      [file!.url, { Authorization: 'Bearer wrong' }, 403],
    ] as const) {
      const res = await fetch(stack.url + path, { headers })
      expect([
        path,
        res.status,
        pick(res.headers, ['x-content-type-options', 'content-security-policy', 'referrer-policy', 'access-control-allow-origin']),
      ]).toEqual([
        path,
        status,
        {
          'x-content-type-options': 'nosniff',
          'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
          'referrer-policy': 'no-referrer',
          'access-control-allow-origin': null,
        },
      ])
    }
  })

  it('runs the dashboard on real data under the CSP with no violation; an injected inline script is blocked and reported', async () => {
    const { page, violations, errors, dialogs } = await watchedPage(browser)
    const seen: string[] = []
    page.on(
      'response',
      (r) =>
        r.url().includes('/dashboard/') &&
        r.request().resourceType() === 'document' &&
        seen.push(r.headers()['content-security-policy'] ?? ''),
    )
    await page.goto(dashboardUrl(stack, t0 - 3_600_000, t0 + 60_000))
    await settled(page)
    expect(seen).toEqual([CSP])
    expect(await page.textContent('[data-testid=kpi-pageviews]')).toBe('12')
    expect(await page.getAttribute('[data-testid=load-stats]', 'data-files')).not.toBe('0')
    expect(await violations()).toEqual([])
    expect(errors).toEqual([])
    expect(dialogs).toEqual([])
    // The DuckDB worker runs under the policy too: a request to another origin is refused by connect-src.
    const [worker] = page.workers()
    expect(worker!.url()).toMatch(/\/dashboard\/duckdb\/duckdb-browser-eh\.worker\.js$/)
    const other = `http://127.0.0.1:${await freePort()}/x`
    expect(
      await worker!.evaluate(async (url) => {
        const got: string[] = []
        self.addEventListener('securitypolicyviolation', (e) => got.push((e as SecurityPolicyViolationEvent).effectiveDirective))
        await fetch(url).catch(() => {})
        await new Promise((r) => setTimeout(r, 200))
        return got
      }, other),
    ).toEqual(['connect-src'])

    // The listener does see violations: an inline script (what an injection would add) is blocked.
    await page.evaluate(() => {
      const s = document.createElement('script')
      s.textContent = 'window.__inline = true'
      document.body.append(s)
    })
    await page.waitForFunction(() => (window as unknown as { __violations: string[] }).__violations.length > 0)
    expect(await page.evaluate(() => (window as unknown as { __inline?: boolean }).__inline)).toBeUndefined()
    expect(await violations()).toEqual(['script-src-elem inline'])
    await page.close()
  })
})
