// Identified users on the shop of warehouse/testing/shop.ts (counted by hand).
import { beforeAll, describe, expect, it } from 'vitest'
import { golden, hhmm } from '../testing/golden.ts'
import { openEngines, writeLake, type Engines } from '../testing/lake.ts'
import { DAY_D, shopFiles } from '../testing/shop.ts'
import { users, usersBy } from './users.ts'

let db: Engines
beforeAll(async () => {
  db = await openEngines(await writeLake(shopFiles()))
}, 60_000)

describe('users', () => {
  it('latest traits of identified users, with their activity', async () => {
    const rows = await golden(db, users(DAY_D))
    expect(rows.map((r) => [r.user_id, r.traits, hhmm(r.identified_at), hhmm(r.last_seen), r.events])).toEqual([
      ['alice', '{"age":30,"plan":"pro"}', '12:01', '12:04', 6],
      ['bob', '{"age":40}', '11:05', '11:31', 4], // bob's D-1 traits (age 35) are superseded
      ['carol', '{"age":50}', '09:01', '09:12', 6],
    ])
  })

  it('users and average age by country', async () => {
    expect(await golden(db, usersBy(DAY_D, 'country', 'age'))).toEqual([
      { value: 'DE', users: 2, avg_trait: 45 },
      { value: 'FR', users: 1, avg_trait: 30 },
    ])
  })
})
