import { describe, expect, it } from 'vitest'
import { testEnv } from '../test-helpers.ts'
import { visitorId, visitorIds } from './visitor.ts'

describe('visitorId', () => {
  it('is stable within a day, differs across sites, agents and days, and never contains the IP', async () => {
    const a = await visitorId(testEnv.LAKE, '2030-01-01', 'demo', '198.51.100.1', 'UA')
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(await visitorId(testEnv.LAKE, '2030-01-01', 'demo', '198.51.100.1', 'UA')).toBe(a)
    expect(await visitorId(testEnv.LAKE, '2030-01-01', 'shop', '198.51.100.1', 'UA')).not.toBe(a)
    expect(await visitorId(testEnv.LAKE, '2030-01-01', 'demo', '198.51.100.2', 'UA')).not.toBe(a)
    expect(await visitorId(testEnv.LAKE, '2030-01-02', 'demo', '198.51.100.1', 'UA')).not.toBe(a)
  })

  it('creates one random salt per day in R2', async () => {
    await visitorId(testEnv.LAKE, '2030-02-01', 'demo', '198.51.100.1', 'UA')
    const salt = await testEnv.LAKE.get('salts/2030-02-01')
    expect(salt).not.toBeNull()
    expect((await salt!.arrayBuffer()).byteLength).toBe(32)
  })

  it('adopts the salt another isolate already wrote (first writer wins)', async () => {
    const existing = new Uint8Array(32).fill(7)
    await testEnv.LAKE.put('salts/2030-03-01', existing)
    const key = await crypto.subtle.importKey('raw', existing, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('demo|198.51.100.1|UA')))
    const expected = Array.from(mac.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')
    expect(await visitorId(testEnv.LAKE, '2030-03-01', 'demo', '198.51.100.1', 'UA')).toBe(expected)
  })
})

describe('visitorIds across the daily salt rotation', () => {
  const gap = 30 * 60_000
  const midnight = Date.UTC(2030, 5, 2)

  it("links the first SESSION_GAP of a day to the same person under yesterday's salt", async () => {
    const before = await visitorIds(testEnv.LAKE, midnight - 5 * 60_000, gap, 'demo', '198.51.100.1', 'UA') // 23:55
    const after = await visitorIds(testEnv.LAKE, midnight + 10 * 60_000, gap, 'demo', '198.51.100.1', 'UA') // 00:10
    expect(before.visitor_id_prev).toBeNull()
    expect(after.visitor_id).not.toBe(before.visitor_id) // a new day, a new id
    expect(after.visitor_id_prev).toBe(before.visitor_id) // ...linked to the visit it continues
  })

  it('links nothing after the gap, nor another person', async () => {
    const late = await visitorIds(testEnv.LAKE, midnight + gap, gap, 'demo', '198.51.100.1', 'UA')
    expect(late.visitor_id_prev).toBeNull()
    const before = await visitorIds(testEnv.LAKE, midnight - 60_000, gap, 'demo', '198.51.100.1', 'UA')
    const other = await visitorIds(testEnv.LAKE, midnight + 60_000, gap, 'demo', '198.51.100.2', 'UA')
    expect(other.visitor_id_prev).not.toBe(before.visitor_id)
  })
})
