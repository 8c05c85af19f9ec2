// The bounce rule's corners (warehouse/testing/journeys.ts, `bounceCorners`), on native DuckDB and
// DuckDB-WASM: exactly one pageview and no custom event is a bounce; engagement and identify are not
// interactions; a visit without a pageview is not a bounce.
import { beforeAll, expect, it, vi } from 'vitest'
import { golden } from '../testing/golden.ts'
import { bounceCorners, hex } from '../testing/journeys.ts'
import { openEngines, writeLake, type Engines } from '../testing/lake.ts'
import { DAY_D } from '../testing/shop.ts'
import { kpis } from './kpis.ts'
import { isBounce, sessions } from './sessions.ts'

// Two engines per query, on a machine that may be busy.
vi.setConfig({ testTimeout: 60_000 })

let db: Engines
beforeAll(async () => {
  db = await openEngines(await writeLake(bounceCorners()))
}, 60_000)

it('bounces: one pageview and nothing done; not two pages, a custom event, nor a visit without a page', async () => {
  const rows = await golden(db, sessions(DAY_D))
  expect(rows.map((r) => [r.vk, r.pageviews, r.events, r.bounce])).toEqual([
    [hex('1'), 1, 0, true],
    [hex('2'), 1, 0, true],
    [hex('3'), 1, 0, true],
    [hex('4'), 1, 1, false],
    [hex('5'), 2, 0, false],
    [hex('6'), 0, 0, false],
    [hex('7'), 0, 0, false],
  ])
  const [k] = await golden(db, kpis(DAY_D))
  expect([k!.visits, k!.bounce_rate]).toEqual([7, 3 / 7])
  // The rule in TypeScript (the aggregate tier's) is the same.
  expect(rows.every((r) => isBounce(r.pageviews as number, r.events as number) === r.bounce)).toBe(true)
})
