import { beforeAll, describe, expect, it } from 'vitest'
import { installGeoDb, testEnv } from '../test-helpers.ts'
import { continentOf, countryOfIp } from './geoip.ts'

describe('IP-to-country fallback (geo-whois-asn-country in R2)', () => {
  beforeAll(installGeoDb)

  it.each([
    ['8.8.8.8', 'US'],
    ['81.2.69.142', 'GB'],
    ['5.9.1.1', 'DE'],
    ['2a00:1450:4001:81b::200e', 'IE'],
    ['127.0.0.1', null],
    ['not an ip', null],
    ['', null],
  ])('%s -> %s', async (ip, country) => {
    expect(await countryOfIp(testEnv.LAKE, ip)).toBe(country)
  })

  it('knows the continent of a country', () => {
    expect([continentOf('DE'), continentOf('BR'), continentOf('JP'), continentOf('NZ'), continentOf('ZZ'), continentOf(null)]).toEqual([
      'EU',
      'SA',
      'AS',
      'OC',
      null,
      null,
    ])
  })
})
