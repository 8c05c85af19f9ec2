// `visits` built in slices of the canonical visitors (what the dashboard does above SLICE_EVENTS events, so
// that 10M events fit DuckDB-WASM's memory) must equal `visits` built in one pass: on DuckDB-WASM, over the
// shop, visits across midnight linked by the salt rotation (a key chain crossing slices if it were cut by
// visitor id), a bot, and a synthetic lake of a few thousand visitors.
import { beforeAll, expect, it } from 'vitest'
import { writeLake } from '../testing/lake.ts'
import { eventRow } from '../testing/rows.ts'
import { at, shopFiles } from '../testing/shop.ts'
import { WasmLake } from '../testing/wasm.ts'
import { dropSlice, materialiseInSlices } from './load.ts'
import { readFile } from 'node:fs/promises'

let lake: WasmLake

const pv = (id: string, visitor: string, t: number, path: string, over = {}) =>
  eventRow({ event_id: id, visitor_id: visitor, event_time: t, client_time: t, received_time: t + 50, path, ...over })

beforeAll(async () => {
  const midnight = [
    pv('m1', 'c', at(0, 23, 50), '/c1'),
    pv('m2', 'd-old', at(0, 23, 55), '/d1'),
    pv('m3', 'c', at(1, 0, 10), '/c2'),
    pv('m4', 'd-new', at(1, 0, 5), '/d2', { visitor_id_prev: 'd-old' }),
    pv('m5', 'd-new', at(1, 1), '/d3'),
    pv('m6', 'd-newer', at(2, 0, 5), '/d4', { visitor_id_prev: 'd-new' }),
    pv('m7', 'b2', at(1, 2), '/', { is_bot: true, bot_reason: 'headless' }),
    pv('m8', null as unknown as string, at(1, 3), '/anon'),
  ]
  // 2,000 visitors, 1-4 visits each of 1-3 pageviews, over three days (deterministic).
  const synthetic = [0, 1].map((f) =>
    Array.from({ length: 1000 }, (_, i) => {
      const v = f * 1000 + i
      return Array.from({ length: 1 + (v % 4) }, (_, s) =>
        Array.from({ length: 1 + ((v + s) % 3) }, (_, k) =>
          pv(`s${v}-${s}-${k}`, `v${v}`, at(s % 3, (v * 7 + s * 5) % 24, k * 10), `/p${(v + k) % 9}`),
        ),
      ).flat()
    }).flat(),
  )
  const paths = await writeLake([...shopFiles(), midnight, ...synthetic])
  lake = await WasmLake.open()
  await lake.load(await Promise.all(paths.map(async (p) => new Uint8Array(await readFile(p)).buffer as ArrayBuffer)))
  // The dashboard holds the deduplicated events as a table (`materialise()` adds a column to it), not a view.
  for (const s of ['CREATE TABLE loaded AS SELECT * FROM events', 'DROP VIEW events', 'ALTER TABLE loaded RENAME TO events'])
    lake.conn.query(s)
}, 120_000)

const visits = () => lake.run({ sql: `SELECT * FROM visits ORDER BY session_id`, params: [] })

it('builds the same visits in slices as in one pass, and leaves events unshadowed', async () => {
  for (const q of materialiseInSlices(1)) lake.conn.query(q)
  const whole = await visits()
  expect(whole.length).toBeGreaterThan(500)
  const events = await lake.run({ sql: `SELECT count(*) AS n FROM events`, params: [] })
  for (const slices of [2, 5]) {
    const statements = materialiseInSlices(slices)
    expect(statements.filter((s) => s.startsWith('INSERT INTO visits'))).toHaveLength(slices - 1)
    for (const q of statements) lake.conn.query(q)
    expect(await visits()).toEqual(whole)
    expect(await lake.run({ sql: `SELECT count(*) AS n FROM events`, params: [] })).toEqual(events)
  }
  // The chain d-old -> d-new -> d-newer is one visitor: its sessions are cut together.
  expect(whole.filter((v) => String(v.session_id).startsWith('d-old#')).map((v) => v.entry_page)).toEqual(['/d1', '/d3', '/d4'])
  lake.conn.query(dropSlice)
}, 120_000)
