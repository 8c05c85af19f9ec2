// The retention cohort table over `weeklyReturns` (warehouse/testing/journeys.ts, counted by hand in its
// table), by person and by visitor, on native DuckDB and on DuckDB-WASM.
import { beforeAll, expect, it, vi } from 'vitest'
import { golden } from '../testing/golden.ts'
import { weeklyReturns } from '../testing/journeys.ts'
import { openEngines, writeLake, type Engines } from '../testing/lake.ts'
import { at } from '../testing/shop.ts'
import { retention } from './retention.ts'

// Two engines per query, on a machine that may be busy.
vi.setConfig({ testTimeout: 60_000 })

let db: Engines
beforeAll(async () => {
  db = await openEngines(await writeLake(weeklyReturns()))
}, 60_000)

const THREE_WEEKS = { from: at(2, 0), to: at(23, 0) - 1 }

it('by person: a customer joined across weeks by the user id comes back; an anonymous return does not join', async () => {
  expect(await golden(db, retention(THREE_WEEKS, { weeks: 2 }))).toEqual([
    { cohort: '2026-01-12', size: 2, week_1: 1, week_2: 0 },
    { cohort: '2026-01-26', size: 1, week_1: 0, week_2: 0 },
  ])
})

it('by visitor: ids change daily, so every visit is a cohort of its own', async () => {
  expect(await golden(db, retention(THREE_WEEKS, { weeks: 2, by: 'visitor' }))).toEqual([
    { cohort: '2026-01-12', size: 2, week_1: 0, week_2: 0 },
    { cohort: '2026-01-19', size: 1, week_1: 0, week_2: 0 },
    { cohort: '2026-01-26', size: 1, week_1: 0, week_2: 0 },
  ])
  // A range starting after the first week: the customer's first week in it is week 1's.
  const [first] = await golden(db, retention({ from: at(9, 0), to: THREE_WEEKS.to }, { weeks: 1 }))
  expect(first).toEqual({ cohort: '2026-01-19', size: 1, week_1: 0 })
})
