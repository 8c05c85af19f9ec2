/**
 * Scenario 4, hostile corpus: every malformed or malicious request of support/input-corpus.ts, over real
 * HTTP to `wrangler dev`, is answered 4xx with its reason, none 5xx, and none of it is stored: after the
 * corpus one valid event is sent, and once it is in the lake it is the only row there. The drop ledger
 * counts what the collector refused (by design), and exactly that.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startStack, type Stack } from '../helpers/stack.ts'
import { CORPUS } from './support/input-corpus.ts'
import { batch, lakeRows, postEvents, raw, waitForRows, wireEvent, type Answer } from './support/input-http.ts'

let stack: Stack
const answers = new Map<string, Answer>()

beforeAll(async () => {
  stack = await startStack({ port: await freePort() })
})
afterAll(async () => {
  await stack?.stop()
})

describe('hostile corpus over HTTP', () => {
  it('has at least 50 requests, each named once', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50)
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length)
  })

  it.each(CORPUS.map((c) => [c.name, c] as const))('answers %s with its 4xx and reason', async (_, c) => {
    const a = await c.send(stack)
    answers.set(c.name, a)
    expect(a.status).toBeGreaterThanOrEqual(400)
    expect(a.status).toBeLessThan(500)
    expect([a.status, a.json?.error ?? a.text]).toEqual([c.status, expect.stringMatching(c.error)])
    if (c.rejected) {
      const r = (a.json?.rejected as { index: number; field: string; reason: string }[] | undefined)?.[0]
      expect(r).toMatchObject({ index: 0, field: c.rejected[0] })
      expect(r!.reason).toMatch(c.rejected[1])
    }
  })

  it('answered none of it with 5xx', () => {
    expect(answers.size).toBe(CORPUS.length)
    expect([...answers].filter(([, a]) => a.status >= 500).map(([n, a]) => `${n}: ${a.status}`)).toEqual([])
  })

  // Not in the corpus: this answer is the runtime's, per RFC 9110 (501 for a method it does not know), and
  // the request never reaches the worker. Cloudflare's edge answers it in production.
  it('an unknown method never reaches the worker: the runtime answers 501 itself', async () => {
    const a = await raw(stack, `FOO /e HTTP/1.1\r\nHost: ${new URL(stack.url).host}\r\nConnection: close\r\n\r\n`)
    expect([a.status, a.text]).toEqual([501, 'ERROR: Unrecognized request method.'])
    expect(stack.logs()).not.toMatch(/FOO \/e/)
  })

  it('stored none of it; the drop ledger counts exactly what the collector refused', async () => {
    const sentinel = wireEvent('sentinel-000001')
    const ok = await postEvents(stack, batch([sentinel]))
    expect(ok.status).toBe(202)
    const rows = await waitForRows(stack, (rows) => rows.some((r) => r.event_id === 'sentinel-000001'))
    expect(rows.map((r) => r.event_id)).toEqual(['sentinel-000001'])

    const want = CORPUS.reduce((n, c) => n + c.ledger, 0)
    const total = async () => {
      const rows = [...(await lakeRows(stack, 'dropped')), ...(await lakeRows(stack, 'dropped', '_unknown'))]
      return rows.reduce((n, r) => n + Number(r.events), 0)
    }
    // The ledger buffers for up to 5 s in the isolate before it sends (LEDGER_FLUSH_MS).
    const end = Date.now() + 60_000
    let got = await total()
    while (got < want && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 500))
      got = await total()
    }
    expect(got).toBe(want)
    // Still nothing but the sentinel.
    expect((await lakeRows(stack)).map((r) => r.event_id)).toEqual(['sentinel-000001'])
    console.log(`hostile corpus: ${CORPUS.length} requests, 0 answered 5xx, 0 stored; drop ledger: ${got} events`)
  })
})
