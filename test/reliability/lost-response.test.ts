/**
 * Scenario 3, lost responses: the worker stored a batch, but its 202 never reached the client (a loopback
 * proxy closes the connection after the worker answered), so the client sends the same events again (same
 * ids, a fresh sentAt, as the tracker retries). Exactly one row per event must remain, and which layer
 * removes the copy depends on how the retry reaches the consumer:
 *   - alone in its consumer batch: the part key is a hash of the batch's sorted event ids, so the retry
 *     rewrites the very same object: the raw parts already hold one row each;
 *   - in one batch with other traffic: another key, so the raw parts hold both copies; the `events` view
 *     (SQL: one row per event id) and compaction (dedupe on event id) each keep one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listFiles } from '../helpers/lake.ts'
import { readBooks, waitForLakeQuiet } from './support/stack-lake.ts'
import { CHROME_UA, loadEvent } from './support/stack-load.ts'
import { startLossyProxy, type LossyProxy } from './support/stack-proxy.ts'
import { runCron, startDevStack, type DevStack } from './support/stack-dev.ts'
import { DAY } from '../../warehouse/time.ts'

let stack: DevStack
let proxy: LossyProxy

beforeAll(async () => {
  stack = await startDevStack()
  proxy = await startLossyProxy(stack.url)
})
afterAll(async () => {
  await proxy?.close()
  await stack?.dispose()
})

const batchOf = (prefix: string, n = 20) => Array.from({ length: n }, (_, i) => loadEvent(prefix, 0, i, Date.now() - n + i))

/** POSTs events as the tracker does: a fresh sentAt on every attempt. */
function post(url: string, events: unknown[]) {
  return fetch(`${url}/e`, {
    method: 'POST',
    body: JSON.stringify({ site: 'demo', sentAt: Date.now(), events }),
    headers: { 'Content-Type': 'text/plain', Origin: 'http://localhost', 'User-Agent': CHROME_UA, 'CF-Connecting-IP': '203.0.113.77' },
  })
}

/** Consumer batches of the events queue so far (Miniflare logs one `QUEUE footfall-events acked/total` line each). */
const consumed = () => (stack.logs().match(/QUEUE footfall-events \d+\/\d+/g) ?? []).length

async function waitConsumed(n: number) {
  const end = Date.now() + 30_000
  while (consumed() < n) {
    if (Date.now() > end) throw new Error(`the consumer ran ${consumed()} batches, not ${n}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Sends `events` through the proxy, which loses the answer; returns once the lake holds them. */
async function sendAndLoseAnswer(events: { id: string }[], prefix: string) {
  proxy.loseNext(1)
  await expect(post(proxy.url, events)).rejects.toThrow()
  expect(proxy.lost.at(-1)).toBe(202) // the worker had accepted them
  const end = Date.now() + 30_000
  for (;;) {
    const books = await readBooks(
      stack,
      prefix,
      events.map((e) => e.id),
    )
    if (books.lost.length === 0) return books
    if (Date.now() > end) throw new Error(`${books.lost.length} events never stored`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

describe('reliability: lost responses', () => {
  it('keeps one row when the retry comes alone: it rewrites the same part (key = hash of the event ids)', async () => {
    const events = batchOf('lostA')
    const first = await sendAndLoseAnswer(events, 'lostA')
    expect([first.files, first.rows]).toEqual([1, 20])
    const keyBefore = (await listFiles(stack)).map((f) => f.key)
    const batches = consumed()

    const retry = await post(stack.url, events)
    expect(retry.status).toBe(202)
    expect(await retry.json()).toEqual({ accepted: 20, rejected: [] })
    await waitConsumed(batches + 1)
    const after = await readBooks(
      stack,
      'lostA',
      events.map((e) => e.id),
    )
    expect((await listFiles(stack)).map((f) => f.key)).toEqual(keyBefore)
    expect([after.rows, after.distinct, after.viewRows, after.lost.length]).toEqual([20, 20, 20, 0])
  })

  it('keeps one row when the retry shares a batch with other traffic: the events view and compaction dedupe', async () => {
    const events = batchOf('lostB')
    await sendAndLoseAnswer(events, 'lostB')
    const batches = consumed()

    // The retry and another visitor's batch reach the queue together: one consumer batch, one new part.
    const other = batchOf('lostC')
    const [retry, second] = await Promise.all([post(stack.url, events), post(stack.url, other)])
    expect([retry.status, second.status]).toEqual([202, 202])
    await waitConsumed(batches + 1)
    await waitForLakeQuiet(stack, 60, 20_000, 2000)
    const raw = await readBooks(
      stack,
      'lostB',
      events.map((e) => e.id),
    )
    expect(raw.rows).toBe(40) // both copies sit in the raw parts...
    expect([raw.distinct, raw.viewRows, raw.lost.length]).toEqual([20, 20, 0]) // ...the SQL view shows one

    await runCron(stack, Date.now() + DAY + 3 * 3_600_000)
    const compacted = await readBooks(
      stack,
      'lostB',
      events.map((e) => e.id),
    )
    expect([compacted.rows, compacted.distinct, compacted.viewRows, compacted.lost.length]).toEqual([20, 20, 20, 0])
    const others = await readBooks(
      stack,
      'lostC',
      other.map((e) => e.id),
    )
    expect([others.rows, others.lost.length]).toEqual([20, 0])
  })
})
