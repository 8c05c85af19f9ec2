// The dashboard's way of holding the lake (`LakeStore`: staged loads merged into a deduplicated `events`
// table, sessionized once, later loads merged and sessionized again for the visitors they touch) on both
// engines: native DuckDB appending the Parquet files, DuckDB-WASM appending them as the dashboard does
// (decoded by hyparquet into Arrow). After each load both answer every query as the library's `events` view
// over the same files answers it, on native DuckDB without the per-load tables.
import { readFile } from 'node:fs/promises'
import { beforeAll, describe, expect, it } from 'vitest'
import { parquetToArrowIPC } from '../dashboard/src/decode.ts'
import type { Batch, Engine, Row } from './engine.ts'
import { NativeLake } from './native.ts'
import { breakdown, customEvents, SESSION_FIELDS, sessionBreakdown } from './sql/breakdowns.ts'
import { createEventsRaw } from './sql/ddl.ts'
import { DAY, type Scope } from './sql/events.ts'
import { kpis } from './sql/kpis.ts'
import type { Query } from './sql/query.ts'
import { LakeStore } from './store.ts'
import { writeLake } from './testing/lake.ts'
import { eventRow } from './testing/rows.ts'
import { at, DAY_D, shopFiles } from './testing/shop.ts'
import { WasmLake } from './testing/wasm.ts'

const pv = (id: string, visitor: string, t: number, path: string, over = {}) =>
  eventRow({ event_id: id, visitor_id: visitor, event_time: t, client_time: t, received_time: t + 50, path, ...over })

const [prev, morning, noon] = shopFiles()
/** Three loads, as a dashboard widening its range and polling would make them. */
const loads = [
  // Day D's morning, with a copy of one event in a second file (duplicates within one load).
  [morning!, [morning![0]!]],
  // Day D-1 (earlier events of loaded visitors: their sessions are cut again), and a copy of a morning
  // event received earlier than the loaded one, with another path: that copy is the one kept.
  [prev!, [{ ...morning![4]!, path: '/cart-first', received_time: morning![4]!.received_time - 60_000 }]],
  // Noon, and a visit across midnight with the salt rotation (d-new links to d-old).
  [noon!, [pv('m1', 'd-old', at(0, 23, 55), '/d1'), pv('m2', 'd-new', at(1, 0, 5), '/d2', { visitor_id_prev: 'd-old' })]],
]

const range = { from: DAY_D.from - DAY, to: DAY_D.to + DAY }
const queries: [string, (o: Scope) => Query][] = [
  ['kpis', (o) => kpis(range, o)],
  ['top pages', (o) => breakdown(range, 'path', { ...o, type: 'pageview' })],
  ['countries', (o) => breakdown(range, 'country', o)],
  ['custom events', (o) => customEvents(range, o)],
  ...SESSION_FIELDS.map((f): [string, (o: Scope) => Query] => [`sessions by ${f}`, (o) => sessionBreakdown(range, f, o)]),
]

let files: string[][]
beforeAll(async () => {
  files = await Promise.all(loads.map((l) => writeLake(l)))
})

/** A store on `engine` and what it appends for a file: its path (native) or its Arrow (DuckDB-WASM). */
async function store(engine: 'native' | 'wasm'): Promise<{ store: LakeStore<'all'>; batch: (path: string) => Promise<Batch> }> {
  const e: Engine = engine === 'native' ? await NativeLake.open({ lake: false }) : await WasmLake.open({ lake: false })
  const batch = async (path: string): Promise<Batch> => {
    if (engine === 'native') return { parquet: [path] }
    const b = await readFile(path)
    return { arrow: [await parquetToArrowIPC(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer)] }
  }
  return { store: new LakeStore(Promise.resolve(e), { all: createEventsRaw }, 'all'), batch }
}

describe("the dashboard's store answers as the events view, on both engines", () => {
  it('after each of three loads (duplicates, earlier copies, earlier events, the salt rotation)', async () => {
    const stores = await Promise.all((['native', 'wasm'] as const).map(store))
    for (let i = 0; i < loads.length; i++) {
      const reference = await NativeLake.open()
      await reference.load(files.slice(0, i + 1).flat())
      for (const { store: s, batch } of stores) {
        for (const path of files[i]!) await s.insert(path, batch(path))
        await s.commit()
      }
      for (const [name, q] of queries) {
        const want = await reference.run(q({}))
        for (const [engine, { store: s }] of ['native', 'wasm'].map((e, j) => [e, stores[j]!] as const)) {
          expect(await s.run(q({ materialised: true })), `${name} after load ${i + 1} on ${engine}`).toEqual(want)
        }
      }
      const events = (r: Row[]) => r.map((e) => `${e.event_id}:${e.path}`)
      const held = 'SELECT event_id, path FROM events ORDER BY event_id'
      for (const { store: s } of stores) expect(events(await s.run(held))).toEqual(events(await reference.run({ sql: held, params: [] })))
    }
    const [{ visitors, visits }] = (await stores[1]!.store.run(kpis(range, { materialised: true }))) as [Row]
    // The shop's u1, u2, u3, u5, u6 and d (one visitor across midnight); the shop's 7 visits (D-1: u3's
    // identify, u5; D: u1, u2 twice, u3, u6) and d's one.
    expect([visitors, visits]).toEqual([6, 8])
    expect((await stores[0]!.store.run(`SELECT path FROM events WHERE event_id = '${morning![4]!.event_id}'`))[0]!.path).toBe('/cart-first')
  }, 120_000)

  it('runs console SQL read-only: one reading statement, rolled back', async () => {
    for (const engine of ['native', 'wasm'] as const) {
      const { store: s, batch } = await store(engine)
      for (const path of files[0]!) await s.insert(path, batch(path))
      await s.commit()
      const n = async () => ((await s.run('SELECT count(*) AS n FROM events'))[0] as Row).n
      const before = await n()
      expect(before).toBeGreaterThan(5)
      await expect(s.runReadOnly('DELETE FROM events'), engine).rejects.toThrow(/reading statements only/)
      await expect(s.runReadOnly('SELECT 1 AS a; DELETE FROM events'), engine).rejects.toThrow()
      expect((await s.runReadOnly('-- a note\nSELECT count(*) AS n FROM events')).rows, engine).toEqual([{ n: before }])
      expect(await n(), engine).toBe(before)
    }
  }, 60_000)
})
