/**
 * Compaction inside workerd, on Miniflare's real R2: closed hours and days merge, duplicates go, a crash at
 * every step keeps each event visible exactly once through /api/files, and a second run changes nothing.
 */
import { createMessageBatch } from 'cloudflare:test'
import { exports } from 'cloudflare:workers'
import { parquetReadObjects } from 'hyparquet'
import { beforeEach, describe, expect, it } from 'vitest'
import { compactDate, type CompactOptions, type CompactStep } from '../warehouse/compact.ts'
import { eventRow } from '../warehouse/testing/rows.ts'
import { consume } from './consumer.ts'
import { clearLake, deliver, lakeRows, testEnv, TOKEN } from './test-helpers.ts'

const DATE = '2026-03-03'
const at = (h: number, m = 0) => Date.UTC(2026, 2, 3, h, m)
const OPEN_DAY = at(5, 30) // hours 01 and 02 are closed, 05 is not
const CLOSED_DAY = Date.UTC(2026, 2, 5)
const ALL_IDS = ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'c1']

/** Eight distinct events in six parts, with duplicates across parts (redeliveries in other batches). */
async function seed() {
  await clearLake()
  const ev = (id: string, t: number) => eventRow({ event_id: id, event_time: t, site: 'demo', url: `https://shop.example/${id}` })
  for (const batch of [
    [ev('a1', at(1, 5)), ev('a2', at(1, 10)), ev('a3', at(1, 15))],
    [ev('a3', at(1, 15)), ev('a4', at(1, 20))],
    [ev('a1', at(1, 5))],
    [ev('b1', at(2, 1)), ev('b2', at(2, 2))],
    [ev('b2', at(2, 2)), ev('b3', at(2, 3))],
    [ev('c1', at(5, 1))],
  ])
    await deliver(batch)
}

/** What a reader sees: the files /api/files lists for the day, and every event id in them. */
async function visible() {
  const res = await exports.default.fetch(
    new Request(`http://localhost/api/files?site=demo&from=${DATE}T00:00:00Z&to=${DATE}T23:59:59Z`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    }),
  )
  const { files } = (await res.json()) as { files: { key: string; rows: number }[] }
  const ids: string[] = []
  for (const f of files) {
    const rows = await parquetReadObjects({ file: await (await testEnv.LAKE.get(f.key))!.arrayBuffer() })
    expect(rows).toHaveLength(f.rows)
    ids.push(...rows.map((r) => r.event_id as string))
  }
  return { keys: files.map((f) => f.key), ids: ids.sort() }
}

async function allKeys(prefix = 'events/') {
  return (await testEnv.LAKE.list({ prefix })).objects.map((o) => o.key)
}

const run = (now: number, extra: Partial<CompactOptions> = {}) =>
  compactDate(testEnv.LAKE, 'demo', DATE, { now, settledAt: Date.now(), ...extra })

/** A hook that crashes at the first call of `step`. */
const crashAt =
  (step: CompactStep): CompactOptions['hook'] =>
  (s) => {
    if (s === step) throw new Error(`crash at ${step}`)
  }

/** Exactly one copy of each event in what readers see (after a finished compaction). */
async function expectExactlyOnce(ids = ALL_IDS) {
  const seen = await visible()
  expect(seen.ids).toEqual(ids)
  return seen
}

/**
 * Mid-compaction, readers see every event, and never one copy in a merged file plus another in a part:
 * each range shows its parts (with the duplicates the consumer could not know of) or its merged file.
 */
async function expectNoDoubleCopies(before: string[]) {
  const res = await visible()
  expect([...new Set(res.ids)]).toEqual(ALL_IDS)
  const count = (list: string[], id: string) => list.filter((x) => x === id).length
  for (const id of ALL_IDS) expect(count(res.ids, id)).toBeLessThanOrEqual(count(before, id))
  const merged = new Set<string>(),
    parts = new Set<string>()
  for (const key of res.keys) {
    const rows = await parquetReadObjects({ file: await (await testEnv.LAKE.get(key))!.arrayBuffer() })
    for (const r of rows) (/merged-|\/\d\d-\d\d-/.test(key) ? merged : parts).add(r.event_id as string)
  }
  expect([...merged].filter((id) => parts.has(id))).toEqual([])
  return res
}

describe('compaction', () => {
  beforeEach(seed)

  it('merges the parts of each closed hour into one file, dropping duplicates, and leaves open hours alone', async () => {
    expect((await visible()).ids).toEqual(['a1', 'a1', 'a2', 'a3', 'a3', 'a4', 'b1', 'b2', 'b2', 'b3', 'c1'])
    const r = await run(OPEN_DAY)
    expect(r.rows).toBe(7)
    const seen = await expectExactlyOnce()
    expect(seen.keys.map((k) => k.replace(/[0-9a-f]{20}/, 'P'))).toEqual([
      'events/site=demo/date=2026-03-03/hour=01/merged-P.parquet',
      'events/site=demo/date=2026-03-03/hour=02/merged-P.parquet',
      'events/site=demo/date=2026-03-03/hour=05/P.parquet',
    ])
    expect(await allKeys()).toEqual(seen.keys)
    // Merged files are sorted by event time and carry rows/min/max like parts.
    const rows = await parquetReadObjects({ file: await (await testEnv.LAKE.get(seen.keys[0]!))!.arrayBuffer() })
    expect(rows.map((x) => x.event_id)).toEqual(['a1', 'a2', 'a3', 'a4'])
  })

  it('turns a closed day into one file, or into hour-aligned files of at most maxRows rows', async () => {
    await run(CLOSED_DAY)
    let seen = await expectExactlyOnce()
    expect(seen.keys.map((k) => k.replace(/[0-9a-f]{20}/, 'P'))).toEqual(['events/site=demo/date=2026-03-03/00-23-P.parquet'])
    expect(await allKeys()).toEqual(seen.keys)

    await seed()
    await run(CLOSED_DAY, { maxRows: 3 })
    seen = await expectExactlyOnce()
    expect(seen.keys.map((k) => k.replace(/[0-9a-f]{20}/, 'P'))).toEqual([
      'events/site=demo/date=2026-03-03/00-01-P.parquet',
      'events/site=demo/date=2026-03-03/02-02-P.parquet',
      'events/site=demo/date=2026-03-03/03-23-P.parquet',
    ])
  })

  it('folds a late part into the closed day, without cutting inside an earlier day file', async () => {
    await run(CLOSED_DAY)
    await new Promise((r) => setTimeout(r, 5)) // the late part is uploaded after the day file's `covers`
    await deliver([eventRow({ event_id: 'late', event_time: at(2, 30) }), eventRow({ event_id: 'b1', event_time: at(2, 1) })])
    expect((await visible()).ids).toEqual([...ALL_IDS, 'b1', 'late'].sort())
    await run(CLOSED_DAY, { maxRows: 3 })
    const seen = await expectExactlyOnce([...ALL_IDS, 'late'].sort())
    expect(seen.keys).toHaveLength(1)
    expect(seen.keys[0]).toMatch(/\/00-23-[0-9a-f]{20}\.parquet$/)
  })

  it('leaves objects newer than the settle time for the next run', async () => {
    const r = await run(OPEN_DAY, { settledAt: Date.now() - 3_600_000 })
    expect(r).toEqual({ written: [], deleted: [], rows: 0 })
  })

  for (const [label, now] of [
    ['hour', OPEN_DAY],
    ['day', CLOSED_DAY],
  ] as const) {
    for (const step of ['listed', 'read', 'written', 'deleted'] as const) {
      it(`${label} compaction crashing after "${step}" loses nothing, never shows two copies, and the next run finishes the job`, async () => {
        const before = await allKeys()
        const beforeIds = (await visible()).ids
        await expect(run(now, { maxRows: 3, hook: crashAt(step) })).rejects.toThrow(`crash at ${step}`)
        await expectNoDoubleCopies(beforeIds)

        // The raw lake still holds every event: in parts, merged files, or both.
        const raw = new Set<string>()
        for (const key of await allKeys()) {
          for (const row of await parquetReadObjects({ file: await (await testEnv.LAKE.get(key))!.arrayBuffer() }))
            raw.add(row.event_id as string)
        }
        expect([...raw].sort()).toEqual(ALL_IDS)
        if (step === 'listed' || step === 'read') expect(await allKeys()).toEqual(before)

        const steps: string[] = []
        await run(now, { maxRows: 3, hook: (s) => void steps.push(s) })
        const done = await expectExactlyOnce()
        expect(await allKeys()).toEqual(done.keys) // nothing hidden is left behind
        if (step === 'written') expect(steps).toContain('cleaned') // the crashed run's inputs were deleted now

        // Idempotent: a further run writes and deletes nothing.
        const again = await run(now, { maxRows: 3 })
        expect(again).toEqual({ written: [], deleted: [], rows: 0 })
        expect(await allKeys()).toEqual(done.keys)
      })
    }
  }

  it('compacts the drop ledger too, keeping equal rows (two refusals are two rows)', async () => {
    const drop = (t: number, reason: string) => ({
      drop: { time: t, site: 'demo', reason, field: reason === 'invalid' ? 'url' : null, detail: 'x', events: 2 },
    })
    let n = 0
    for (const bodies of [[drop(at(1), 'invalid'), drop(at(1), 'invalid')], [drop(at(1, 30), 'rate')], [drop(at(9), 'privacy')]]) {
      const batch = createMessageBatch<unknown>(
        'footfall-events',
        bodies.map((body) => ({ id: `d${n++}`, timestamp: new Date(), attempts: 1, body })),
      )
      await consume(batch, testEnv)
    }
    expect(await allKeys('dropped/')).toHaveLength(3)
    const r = await run(CLOSED_DAY, { table: 'dropped' })
    expect(r.rows).toBe(4)
    const keys = await allKeys('dropped/')
    expect(keys).toEqual([expect.stringMatching(/^dropped\/site=demo\/date=2026-03-03\/00-23-[0-9a-f]{20}\.parquet$/)])
    const rows = await lakeRows('dropped/')
    expect(rows.map((x) => x.reason)).toEqual(['invalid', 'invalid', 'rate', 'privacy'])
    expect(rows.every((x) => x.events === 2)).toBe(true)
    expect(await run(CLOSED_DAY, { table: 'dropped' })).toEqual({ written: [], deleted: [], rows: 0 })
    await clearLake()
  })
})
