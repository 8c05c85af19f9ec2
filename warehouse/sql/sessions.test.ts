import { beforeAll, describe, expect, it } from 'vitest'
import type { Row } from '../native.ts'
import { eventRow } from '../testing/rows.ts'
import { openEngines, writeLake, type Engines } from '../testing/lake.ts'
import type { Query } from './query.ts'
import { sessions } from './sessions.ts'

// Hand-computed goldens for sessionization. Day D = 2026-01-10, D+1 = 2026-01-11 (UTC).
const at = (day: number, h: number, m = 0, s = 0) => Date.UTC(2026, 0, 10 + day, h, m, s)
const pv = (id: string, visitor: string, t: number, path: string, over = {}) =>
  eventRow({ event_id: id, visitor_id: visitor, event_time: t, client_time: t, received_time: t + 50, path, ...over })
const both = { from: at(0, 0), to: at(2, 0) - 1 }

let db: Engines
/** Runs on native DuckDB and DuckDB-WASM, asserts both agree, returns the rows. */
async function golden(q: Query): Promise<Row[]> {
  const { native, wasm } = await db.run(q)
  expect(wasm).toEqual(native)
  return native
}
const brief = (rows: Row[]) =>
  rows.map((r) => [
    r.session_id,
    (r.start_time as Date).toISOString().slice(11, 19),
    r.duration_ms,
    r.pageviews,
    r.entry_page,
    r.exit_page,
    r.bounce,
  ])

beforeAll(async () => {
  const hour10 = [
    pv('a1', 'a', at(0, 10), '/'),
    pv('a2', 'a', at(0, 10, 30), '/x'), // exactly 30:00 after a1: same session
    pv('a3', 'a', at(0, 11, 0, 1), '/y'), // 30:01 after a2: a new session
    // b arrives out of order: 10:20, 10:00, 10:10.
    pv('b3', 'b', at(0, 10, 20), '/b3'),
    pv('b1', 'b', at(0, 10), '/b1'),
    pv('b2', 'b', at(0, 10, 10), '/b2'),
    pv('f1', 'f', at(0, 14), '/f1'),
    pv('f2', 'f', at(0, 14, 40), '/f2'),
    pv('g1', 'g', at(0, 10), '/', { is_bot: true, bot_reason: 'headless' }),
  ]
  // b2 again, redelivered into another part file: counted once.
  const redelivered = [pv('b2', 'b', at(0, 10, 10), '/b2')]
  // A late event: f3 happened at 14:20 but arrived at 16:00 in a later file; it bridges f1 and f2.
  const late = [pv('f3', 'f', at(0, 14, 20), '/f3', { received_time: at(0, 16) })]
  // Midnight: c's visit crosses it with the same id, in two hour partitions (two files).
  const hour23 = [pv('c1', 'c', at(0, 23, 50), '/c1'), pv('d1', 'd-old', at(0, 23, 55), '/d1')]
  const hour00 = [
    pv('c2', 'c', at(1, 0, 10), '/c2'),
    // d's id changed with the salt at midnight; visitor_id_prev links it to d-old.
    pv('d2', 'd-new', at(1, 0, 5), '/d2', { visitor_id_prev: 'd-old' }),
    pv('d3', 'd-new', at(1, 1), '/d3'), // 55 min later: a new session, the same visitor
    // e carries a prev id nobody had: e stays e.
    pv('e1', 'e', at(1, 0, 10), '/e1', { visitor_id_prev: 'nobody' }),
  ]
  db = await openEngines(await writeLake([hour10, redelivered, late, hour23, hour00]))
}, 60_000)

describe('sessions', () => {
  it('30:00 continues, 30:01 splits; order, duplicates, late events, midnight and the salt rotation', async () => {
    expect(brief(await golden(sessions(both)))).toEqual([
      ['a#1', '10:00:00', 1_800_000, 2, '/', '/x', false],
      ['b#1', '10:00:00', 1_200_000, 3, '/b1', '/b3', false],
      ['a#2', '11:00:01', 0, 1, '/y', '/y', true],
      ['f#1', '14:00:00', 2_400_000, 3, '/f1', '/f2', false],
      ['c#1', '23:50:00', 1_200_000, 2, '/c1', '/c2', false],
      ['d-old#1', '23:55:00', 600_000, 2, '/d1', '/d2', false],
      ['e#1', '00:10:00', 0, 1, '/e1', '/e1', true],
      ['d-old#2', '01:00:00', 0, 1, '/d3', '/d3', true],
    ])
  })

  it('counts a session crossing midnight once, in the range where it starts', async () => {
    const day0 = await golden(sessions({ from: at(0, 0), to: at(1, 0) - 1 }))
    const day1 = await golden(sessions({ from: at(1, 0), to: at(2, 0) - 1 }))
    expect(day0.map((r) => r.session_id)).toEqual(['a#1', 'b#1', 'a#2', 'f#1', 'c#1', 'd-old#1'])
    expect(day1.map((r) => r.session_id)).toEqual(['e#1', 'd-old#2'])
  })

  it('takes a configurable gap', async () => {
    const rows = await golden(sessions(both, { gapMs: 60 * 60_000 }))
    expect(rows.filter((r) => r.vk === 'a').map((r) => r.pageviews)).toEqual([3])
    expect(rows.filter((r) => r.vk === 'd-old').map((r) => r.pageviews)).toEqual([3])
  })

  it('leaves bots out unless asked', async () => {
    expect((await golden(sessions(both))).some((r) => r.vk === 'g')).toBe(false)
    expect((await golden(sessions(both, { bots: true }))).filter((r) => r.vk === 'g')).toHaveLength(1)
  })

  it('keeps sessions holding an event that matches the filters', async () => {
    const rows = await golden(sessions(both, { filters: [{ dim: 'path', op: 'is', value: '/x' }] }))
    expect(rows.map((r) => [r.session_id, r.pageviews])).toEqual([['a#1', 2]])
  })
})
