/**
 * Scenario 1, load: 100,000 events (RELIABILITY_EVENTS to change it) from concurrent senders through the
 * real POST /e on `wrangler dev` (loopback), batches of 50 events over 8 keep-alive connections, from 64
 * client IPs (so the per-IP rate limit, 300 requests a minute, is never what is measured). Every event
 * answered 202 is in the lake exactly once, read back from the Parquet files by native DuckDB:
 * count(*) = count(distinct event_id) = acknowledged, in the consumer's part files as written (no fault:
 * each message is delivered once) and again after the cron compacted the day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readBooks, waitForLakeQuiet } from './support/stack-lake.ts'
import { clientIps, runLoad } from './support/stack-load.ts'
import { runCron, startDevStack, type DevStack } from './support/stack-dev.ts'
import { DAY } from '../../warehouse/time.ts'

const EVENTS = Number(process.env.RELIABILITY_EVENTS) || 100_000

let stack: DevStack
beforeAll(async () => {
  stack = await startDevStack()
})
afterAll(async () => {
  await stack?.dispose()
})

describe('reliability: load', () => {
  it(`stores each of ${EVENTS.toLocaleString('en-US')} acknowledged events exactly once`, async () => {
    const load = await runLoad({
      url: stack.url,
      events: EVENTS,
      perRequest: 50,
      senders: 8,
      ips: clientIps(64),
      idPrefix: 'load',
      deadlineMs: 240_000,
    })
    expect(load.acked.size).toBe(EVENTS)
    const listed = await waitForLakeQuiet(stack, EVENTS, 120_000)
    const parts = await readBooks(stack, 'load', load.acked.keys())
    console.log(
      `load: ${load.acked.size} events acknowledged in ${(load.elapsedMs / 1000).toFixed(1)} s = ${Math.round(load.eventsPerSecond)} events/s ` +
        `(${load.requests} requests, retried ${JSON.stringify(load.retried)}); lake: ${parts.files} part files, ${listed} rows listed`,
    )
    expect({ lost: parts.lost.length, duplicated: parts.duplicated.length }).toEqual({ lost: 0, duplicated: 0 })
    expect([parts.rows, parts.distinct, parts.viewRows]).toEqual([EVENTS, EVENTS, EVENTS])

    // The cron as if it ran tomorrow: today is a closed day, compacted into day files, deduplicated again.
    await runCron(stack, Date.now() + DAY + 3 * 3_600_000)
    const compacted = await readBooks(stack, 'load', load.acked.keys())
    console.log(`load: after compaction ${compacted.files} files`)
    expect(compacted.files).toBeLessThan(parts.files)
    expect({ lost: compacted.lost.length, duplicated: compacted.duplicated.length }).toEqual({ lost: 0, duplicated: 0 })
    expect([compacted.rows, compacted.distinct, compacted.viewRows]).toEqual([EVENTS, EVENTS, EVENTS])
  }, 420_000)
})
