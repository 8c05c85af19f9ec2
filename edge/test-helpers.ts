/** Helpers for the worker tests (run inside workerd by @cloudflare/vitest-pool-workers). */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { parquetReadObjects } from 'hyparquet'
import { READ_PARSERS } from '../warehouse/parquet.ts'
import type { EventRow } from '../warehouse/schema.ts'
import type { Env, LakeMessage } from './env.ts'
import worker from './index.ts'
import { GEO_KEY } from './enrich/geoip.ts'

export const testEnv: Env = env
export const TOKEN = 'test-token'
export const ORIGIN = 'http://localhost:8787'

/** A valid wire event at `ts` (default: now). */
export function wireEventAt(id: string, ts = Date.now(), extra: Record<string, unknown> = {}) {
  return { id, type: 'pageview', ts, url: `${ORIGIN}/demo/`, ...extra }
}

/** Reads every Parquet object under `prefix` back with hyparquet, a real reader. */
export async function lakeRows(prefix = 'events/'): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = []
  const list = await testEnv.LAKE.list({ prefix })
  for (const o of list.objects) {
    const body = await testEnv.LAKE.get(o.key)
    rows.push(...(await parquetReadObjects({ file: await body!.arrayBuffer(), parsers: READ_PARSERS })))
  }
  return rows
}

/** Empties the lake's tables between tests (R2 state persists across tests in one file); salts and the geo database stay. */
export async function clearLake(): Promise<void> {
  for (const prefix of ['events/', 'dropped/']) {
    for (;;) {
      const list = await testEnv.LAKE.list({ prefix })
      if (!list.objects.length) break
      await testEnv.LAKE.delete(list.objects.map((o) => o.key))
    }
  }
}

/** Runs the real queue consumer on a batch of rows, one message each, as the queue would deliver it. */
export async function deliver(rows: EventRow[]) {
  const batch = createMessageBatch<LakeMessage>(
    'footfall-events',
    rows.map((event, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body: { events: [event] } })),
  )
  const ctx = createExecutionContext()
  await worker.queue!(batch, testEnv, ctx)
  return getQueueResult(batch, ctx)
}

/** Puts the real IP-to-country database into R2, as `npm start` and `npm run deploy` do. */
export async function installGeoDb(): Promise<void> {
  const res = await (env as unknown as { TEST_GEO_DB: Fetcher }).TEST_GEO_DB.fetch('http://geo/')
  await testEnv.LAKE.put(GEO_KEY, await res.arrayBuffer())
}

export const CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'

/** POSTs a body to /e through the worker's real fetch handler, as a browser on ORIGIN would. */
export function postEvents(body: unknown, headers: Record<string, string> = {}, cf?: Record<string, unknown>) {
  return exports.default.fetch(
    new Request('http://localhost/e', {
      method: 'POST',
      body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
      headers: { 'Content-Type': 'text/plain', Origin: ORIGIN, 'User-Agent': CHROME_UA, 'CF-Connecting-IP': '203.0.113.7', ...headers },
      cf,
    }),
  )
}

export const batchOf = (events: unknown[], sentAt = Date.now(), site = 'demo') => ({ site, sentAt, events })

/**
 * Waits until the rows under `prefix` satisfy `done`, and returns them. Queue delivery is asynchronous, so
 * tests wait for the rows they expect, by id or content, never for "any row".
 */
export async function waitForLake(done: (rows: Record<string, unknown>[]) => boolean, prefix = 'events/') {
  for (let i = 0; i < 100; i++) {
    const rows = await lakeRows(prefix)
    if (done(rows)) return rows
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`the lake under ${prefix} never reached the expected state`)
}

/** Waits for the events with these ids and returns them, in this order. */
export async function waitForEvents(...ids: string[]) {
  const rows = await waitForLake((rows) => ids.every((id) => rows.some((r) => r.event_id === id)))
  return ids.map((id) => rows.find((r) => r.event_id === id)!)
}
