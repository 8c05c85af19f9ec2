// A visit longer than a day (warehouse/testing/journeys.ts, `longVisit`): a session is built from all of its
// events, however far past the range they go, so its duration does not depend on the range asked nor on
// the reader. The library as the CLI runs it (the `events` view) and as the dashboard runs it (the events
// held as a table, `materialise()`'s `visits`) give one answer, on native DuckDB and on DuckDB-WASM.
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { golden } from '../testing/golden.ts'
import { hex, LONG_VISIT_MS, longVisit } from '../testing/journeys.ts'
import { openEngines, writeLake, type Engines } from '../testing/lake.ts'
import { at } from '../testing/shop.ts'
import { kpis } from './kpis.ts'
import { materialise, sessions, sessionsOpenAt } from './sessions.ts'

const D = { from: at(0, 0), to: at(1, 0) - 1 }
const D1 = { from: at(1, 0), to: at(2, 0) - 1 }
const ALL = { from: at(-1, 0), to: at(3, 0) - 1 }

// Two engines per query, on a machine that may be busy.
vi.setConfig({ testTimeout: 60_000 })

let view: Engines
let table: Engines

beforeAll(async () => {
  const paths = await writeLake(longVisit())
  view = await openEngines(paths)
  table = await openEngines(paths)
  // As the dashboard holds them: the deduplicated events as a table, then the per-load tables.
  for (const s of [
    'CREATE TABLE loaded AS SELECT * FROM events',
    'DROP VIEW events',
    'ALTER TABLE loaded RENAME TO events',
    ...materialise(),
  ]) {
    await table.native.conn.run(s)
    table.wasm.conn.query(s)
  }
}, 120_000)

const brief = (rows: Record<string, unknown>[]) =>
  rows.map((r) => [r.vk, (r.start_time as Date).toISOString(), r.duration_ms, r.pageviews, r.bounce])

describe('a visit of 26 hours', () => {
  it('is one session of 26 hours in the day it starts, whatever range is asked', async () => {
    const one = [[hex('1'), '2026-01-10T22:00:00.000Z', LONG_VISIT_MS, 79, false]]
    for (const r of [D, ALL, { from: at(0, 21), to: at(0, 23) }]) expect(brief(await golden(view, sessions(r)))).toEqual(one)
    expect(await golden(view, sessions(D1))).toEqual([])
  })

  it('has the same duration in the KPIs of the CLI and of the dashboard (materialised), on both engines', async () => {
    for (const [db, materialised] of [
      [view, false],
      [table, false],
      [table, true],
    ] as const) {
      const [d] = await golden(db, kpis(D, { materialised }))
      expect([d!.visitors, d!.visits, d!.pageviews, d!.visit_duration_ms]).toEqual([1, 1, 6, LONG_VISIT_MS])
      const [d1] = await golden(db, kpis(D1, { materialised }))
      // D+1 holds 72 of its pageviews and its visitor (one canonical key across the salt rotation), no visit.
      expect([d1!.visitors, d1!.visits, d1!.pageviews, d1!.visit_duration_ms, d1!.prev_visit_duration_ms]).toEqual([
        1,
        0,
        72,
        null,
        LONG_VISIT_MS,
      ])
    }
  })

  it('is still open at the end of D+1: a reader holding files to there reads on', async () => {
    expect(await golden(view, sessionsOpenAt(D, D1.to))).toEqual([{ open: 1 }])
    expect(await golden(view, sessionsOpenAt(D, at(2, 1)))).toEqual([{ open: 0 }])
  })
})
