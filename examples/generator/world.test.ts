import { readFileSync } from 'node:fs'
import { Reader, type CountryResponse } from 'mmdb-lib'
import { describe, expect, it } from 'vitest'
import { botReason } from '../../edge/enrich/bot.ts'
import { agentFrom } from '../../edge/enrich/ua.ts'
import { Random } from './random.ts'
import { GEO_DB_FILE } from './rows.ts'
import { COUNTRIES, USER_AGENTS, type Device } from './world.ts'

describe('world', () => {
  it("maps every country's IP blocks to that country in the edge's geo database", () => {
    const db = new Reader<CountryResponse>(readFileSync(GEO_DB_FILE))
    const rng = new Random('blocks')
    for (const c of COUNTRIES) {
      for (const block of c.blocks) {
        for (let i = 0; i < 20; i++) {
          const ip = `${block}.${rng.int(0, 255)}.${rng.int(1, 254)}`
          expect([ip, (db.get(ip) as { country_code?: string } | null)?.country_code]).toEqual([ip, c.code])
        }
      }
    }
  })

  it('has user agents the edge classifies as their device class, and bots it flags', () => {
    for (const [device, list] of Object.entries(USER_AGENTS) as [Device, (readonly [number, string])[]][]) {
      for (const [, ua] of list) {
        if (device === 'bot') expect(botReason(ua), ua).not.toBeNull()
        else {
          expect(botReason(ua), ua).toBeNull()
          expect(agentFrom(ua).device_type, ua).toBe(device)
        }
      }
    }
  })
})
