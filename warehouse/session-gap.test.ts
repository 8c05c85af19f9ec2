/**
 * The session gap has one home (`session-gap.ts`): with it changed there, every rule built on it changes
 * too. A copy of the 30 minutes anywhere below keeps its own value and fails here.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { rowMaker } from '../examples/generator/rows.ts'
import { newVisitor, nextVisitStart } from '../examples/generator/model.ts'
import { Random } from '../examples/generator/random.ts'
import { DayAggregator } from './aggregate/build.ts'
import { NativeLake } from './native.ts'
import { SESSION_GAP_MS } from './session-gap.ts'
import { sessions } from './sql/sessions.ts'
import { writeLake } from './testing/lake.ts'
import { eventRow } from './testing/rows.ts'
import { MINUTE } from './time.ts'

// Seven minutes instead of thirty: far from every copy one could make of the default.
vi.mock('./session-gap.ts', () => ({ SESSION_GAP_MS: 7 * 60_000 }))

const midnight = Date.UTC(2026, 0, 10)

describe('one session gap', () => {
  it('is the changed one here', () => {
    expect(SESSION_GAP_MS).toBe(7 * MINUTE)
  })

  describe('the SQL library', () => {
    let lake: NativeLake
    beforeAll(async () => {
      const t = midnight + 10 * 60 * MINUTE
      const pv = (id: string, at: number) =>
        eventRow({ event_id: id, visitor_id: 'a', event_time: at, client_time: at, received_time: at, path: `/${id}` })
      // 6 minutes, then 8 minutes without an event: one session under a 30-minute gap, two under 7 minutes.
      lake = await NativeLake.open()
      await lake.load(await writeLake([[pv('a1', t), pv('a2', t + 6 * MINUTE), pv('a3', t + 14 * MINUTE)]]))
    })
    afterAll(() => lake?.conn.closeSync())

    it('cuts sessions at the gap', async () => {
      const rows = await lake.run(sessions({ from: midnight, to: midnight + 24 * 60 * MINUTE - 1 }))
      expect(rows.map((r) => [r.entry_page, r.exit_page, r.pageviews])).toEqual([
        ['/a1', '/a2', 2],
        ['/a3', '/a3', 1],
      ])
    })
  })

  it("the aggregate tier reads events from a gap before the day (its sessions' lookback)", () => {
    const day = new DayAggregator({ from: midnight, to: midnight + 24 * 60 * MINUTE - 1 })
    expect(day.gap).toBe(7 * MINUTE)
    expect(day.window.from).toBe(midnight - 7 * MINUTE)
  })

  it("the edge's enrichment writes visitor_id_prev in the first gap after midnight only (here through the generator's rows)", async () => {
    const maker = rowMaker('demo', 'gap')
    const v = newVisitor(new Random('gap'), 0)
    const at = async (ts: number) => maker.row({ id: `e${ts}`, type: 'pageview', ts, url: 'http://localhost:8787/demo/' }, v)
    const early = await at(midnight + 5 * MINUTE)
    const late = await at(midnight + 10 * MINUTE)
    expect(early.visitor_id_prev).toMatch(/^[0-9a-f]{32}$/)
    expect(early.visitor_id_prev).not.toBe(early.visitor_id)
    expect(late.visitor_id).toBe(early.visitor_id)
    expect(late.visitor_id_prev).toBeNull()
  })

  it("the generator starts a visitor's next visit more than a gap after the last event", () => {
    const rng = new Random('gap')
    const last = midnight
    const starts = Array.from({ length: 200 }, () => nextVisitStart(rng, last, last) - last)
    expect(Math.min(...starts)).toBeGreaterThan(7 * MINUTE)
    // Some within 30 minutes: what a 30-minute copy could never start.
    expect(starts.some((s) => s < 30 * MINUTE)).toBe(true)
  })
})
