/** Helpers for the worker tests (run inside workerd by @cloudflare/vitest-pool-workers). */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { parquetReadObjects } from 'hyparquet'
import type { EventRow } from '../warehouse/schema.ts'
import type { Env, LakeMessage } from './env.ts'
import worker from './index.ts'

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
    rows.push(...(await parquetReadObjects({ file: await body!.arrayBuffer() })))
  }
  return rows
}

/** Empties the lake between tests (R2 state persists across tests in one file). */
export async function clearLake(): Promise<void> {
  for (;;) {
    const list = await testEnv.LAKE.list()
    if (!list.objects.length) return
    await testEnv.LAKE.delete(list.objects.map((o) => o.key))
  }
}

/** Runs the real queue consumer on a batch of rows, as the queue would deliver it. */
export async function deliver(rows: EventRow[]) {
  const batch = createMessageBatch<LakeMessage>(
    'footfall-events',
    rows.map((event, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body: { event } })),
  )
  const ctx = createExecutionContext()
  await worker.queue!(batch, testEnv, ctx)
  return getQueueResult(batch, ctx)
}
