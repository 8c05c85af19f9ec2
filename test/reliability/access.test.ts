/**
 * Scenario 7, access: the lake API wants the bearer token (401 without, 403 when wrong) or a valid signed
 * URL (403 with the reason when altered or expired); the collector takes a cross-origin text/plain POST
 * without a CORS preflight (a browser on another loopback origin, requests counted by the stack's own
 * log); the dashboard API grants no cross-origin read at all, credentialed or not.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/browser.ts'
import { freePort, startStack, type Stack } from '../helpers/stack.ts'
import { batch, lakeFiles, postEvents, request, startOtherOrigin, waitForRows, wireEvent } from './support/input-http.ts'

let stack: Stack
let browser: BrowserContext
let other: Awaited<ReturnType<typeof startOtherOrigin>>
let file: { key: string; url: string }

beforeAll(async () => {
  ;[stack, browser, other] = await Promise.all([
    freePort().then((port) => startStack({ port })),
    launchChromium(),
    freePort().then(startOtherOrigin),
  ])
  expect((await postEvents(stack, batch([wireEvent('access-000001')]))).status).toBe(202)
  await waitForRows(stack, (rows) => rows.length === 1)
  file = (await lakeFiles(stack))[0]!
})
afterAll(async () => {
  await browser?.close()
  await other?.close()
  await stack?.stop()
})

/** Requests the stack logged (wrangler prints one line per request: "[wrangler:info] POST /e 202 Accepted"). */
const logged = (method: string, path: string) =>
  stack
    .logs()
    .split('\n')
    .filter((l) => l.includes(`] ${method} ${path} `)).length

describe('the lake API wants a token or a signed URL', () => {
  it('answers 401 without a token and 403 with a wrong one, on /api/files and /data/', async () => {
    for (const path of ['/api/files?site=demo', file.url]) {
      const none = await request(stack, path)
      expect([path, none.status, none.json, none.headers.get('WWW-Authenticate')]).toEqual([
        path,
        401,
        { error: 'missing bearer token' },
        'Bearer',
      ])
      for (const auth of ['Bearer wrong', `Bearer ${stack.token}x`, `Bearer ${stack.token.toUpperCase()}`]) {
        const wrong = await request(stack, path, { headers: { Authorization: auth } })
        expect([path, auth, wrong.status, wrong.json]).toEqual([path, auth, 403, { error: 'wrong token' }])
      }
      // Only the Authorization header counts: not Basic, not an empty bearer, not the token in the URL.
      for (const [headers, suffix] of [
        [{ Authorization: `Basic ${btoa(`x:${stack.token}`)}` }, ''],
        [{ Authorization: 'Bearer ' }, ''],
        [{}, `${path.includes('?') ? '&' : '?'}token=${stack.token}`],
      ] as const) {
        const res = await request(stack, path + suffix, { headers })
        expect([path, res.status]).toEqual([path, 401])
      }
    }
    expect((await request(stack, file.url, { headers: { Authorization: `Bearer ${stack.token}` } })).status).toBe(200)
  })

  it('serves a signed URL without the token, and refuses it altered, moved to another file or expired with 403 and the reason', async () => {
    const res = await fetch(`${stack.url}/api/files?site=demo&signed=1&from=${Date.now() - 86_400_000}&to=${Date.now() + 60_000}`, {
      headers: { Authorization: `Bearer ${stack.token}` },
    })
    const [f] = ((await res.json()) as { files: { url: string; signedUrl: string }[] }).files
    expect(f!.url).toBe(file.url) // the dashboard's url is unchanged
    const ok = await fetch(stack.url + f!.signedUrl)
    expect(ok.status).toBe(200)
    expect(new TextDecoder().decode(new Uint8Array(await ok.arrayBuffer()).slice(0, 4))).toBe('PAR1')

    const u = new URL(f!.signedUrl, stack.url)
    const exp = Number(u.searchParams.get('exp'))
    const sig = u.searchParams.get('sig')!
    const altered: [string, string][] = [
      [`${u.pathname}?exp=${exp}&sig=${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`, 'bad signature'],
      [`${u.pathname}?exp=${exp + 3600}&sig=${sig}`, 'bad signature'],
      [`${u.pathname}?exp=${exp}`, 'bad signature'],
      [`${u.pathname.replace('.parquet', '0.parquet')}?exp=${exp}&sig=${sig}`, 'bad signature'],
    ]
    for (const [path, error] of altered) {
      const a = await request(stack, path)
      expect([path, a.status, a.json]).toEqual([path, 403, { error }])
    }
    expect((await request(stack, `/api/files?site=demo&exp=${exp}&sig=${sig}`)).status).toBe(401)

    const short = await fetch(`${stack.url}/api/files?site=demo&signed=1&ttl=1`, { headers: { Authorization: `Bearer ${stack.token}` } })
    const [s] = ((await short.json()) as { files: { signedUrl: string }[] }).files
    expect((await fetch(stack.url + s!.signedUrl)).status).toBe(200)
    await new Promise((r) => setTimeout(r, 2100))
    const expired = await request(stack, s!.signedUrl)
    expect([expired.status, expired.json]).toEqual([403, { error: 'signed URL expired' }])
  })
})

describe('cross-origin requests from a browser on another origin', () => {
  let page: Page
  beforeAll(async () => {
    page = await browser.newPage()
    await page.goto(other.url)
  })
  afterAll(async () => page?.close())

  it('the collector takes a text/plain POST with no preflight and lets the page read the answer', async () => {
    const before = { options: logged('OPTIONS', '/e'), posts: logged('POST', '/e') }
    const answer = await page.evaluate(
      async ({ url, body }) => {
        const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body })
        return { status: res.status, body: await res.json(), retryAfter: res.headers.get('Retry-After') }
      },
      { url: `${stack.url}/e`, body: JSON.stringify(batch([wireEvent('access-cors-01')])) },
    )
    expect(answer).toEqual({ status: 202, body: { accepted: 1, rejected: [] }, retryAfter: null })
    await waitForRows(stack, (rows) => rows.some((r) => r.event_id === 'access-cors-01'))
    await new Promise((r) => setTimeout(r, 300)) // the log line follows the answer
    expect({ options: logged('OPTIONS', '/e') - before.options, posts: logged('POST', '/e') - before.posts }).toEqual({
      options: 0,
      posts: 1,
    })

    // The count does see preflights: a JSON content type needs one.
    await page.evaluate(
      async (url) => void (await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })),
      `${stack.url}/e`,
    )
    await new Promise((r) => setTimeout(r, 300))
    expect(logged('OPTIONS', '/e') - before.options).toBe(1)
  })

  it('the collector answers any origin without credentials: Access-Control-Allow-Origin *, never Allow-Credentials', async () => {
    const res = await fetch(`${stack.url}/e`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Origin: other.url },
      body: JSON.stringify(batch([wireEvent('access-cors-02')])),
    })
    expect(res.status).toBe(202)
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*')
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull()
    expect(res.headers.get('Access-Control-Expose-Headers')).toBe('Retry-After')
  })

  it('the dashboard API grants no cross-origin read, with the token, with credentials or by a signed URL', async () => {
    const signed = await fetch(`${stack.url}/api/files?site=demo&signed=1`, { headers: { Authorization: `Bearer ${stack.token}` } })
    const [f] = ((await signed.json()) as { files: { signedUrl: string }[] }).files
    const attempts = await page.evaluate(
      async ({ base, token, fileUrl, signedUrl }) => {
        const tryRead = async (url: string, init: RequestInit) => {
          try {
            const res = await fetch(url, init)
            return `read ${res.status}: ${(await res.text()).slice(0, 40)}`
          } catch (e) {
            return `blocked: ${(e as Error).name}`
          }
        }
        return {
          filesWithToken: await tryRead(`${base}/api/files?site=demo`, { headers: { Authorization: `Bearer ${token}` } }),
          filesWithCredentials: await tryRead(`${base}/api/files?site=demo`, { credentials: 'include' }),
          dataWithToken: await tryRead(base + fileUrl, { headers: { Authorization: `Bearer ${token}` } }),
          signedUrl: await tryRead(base + signedUrl, {}),
        }
      },
      { base: stack.url, token: stack.token, fileUrl: file.url, signedUrl: f!.signedUrl },
    )
    expect(attempts).toEqual({
      filesWithToken: 'blocked: TypeError',
      filesWithCredentials: 'blocked: TypeError',
      dataWithToken: 'blocked: TypeError',
      signedUrl: 'blocked: TypeError',
    })

    // What the browser saw: no CORS grant on a preflight or on an answer.
    const preflight = await fetch(`${stack.url}/api/files?site=demo`, {
      method: 'OPTIONS',
      headers: { Origin: other.url, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    })
    const read = await fetch(`${stack.url}/api/files?site=demo`, { headers: { Origin: other.url, Authorization: `Bearer ${stack.token}` } })
    for (const res of [preflight, read]) {
      expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull()
      expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull()
    }
    expect(read.status).toBe(200) // the token works; only the browser's cross-origin read is refused
  })
})
