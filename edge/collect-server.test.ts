/** Server-side events: a backend with the site's API key names each visitor's IP, user agent and time. */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { batchOf, clearLake, installGeoDb, lakeRows, ORIGIN, postEvents, waitForEvents, waitForLake, wireEventAt } from './test-helpers.ts'

const KEY = { Authorization: 'Bearer demo-server-key', 'User-Agent': 'node', Origin: '' }
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

describe('server-side events', () => {
  beforeAll(installGeoDb)
  beforeEach(clearLake)

  it('takes each visitor from the event: geo from its IP, agent from its UA, a visitor id per person', async () => {
    const ts = Date.now() - 3 * 86_400_000 // a backend may send older events (here 3 days)
    const res = await postEvents(
      batchOf([
        wireEventAt('srv-0000001', ts, { ip: '5.9.1.1', ua: IPHONE }),
        wireEventAt('srv-0000002', ts, { ip: '81.2.69.142', ua: IPHONE }),
        wireEventAt('srv-0000003', ts, {
          ip: '5.9.1.1',
          ua: IPHONE,
          type: 'event',
          name: 'order',
          props: { revenue: 42.5, currency: 'EUR' },
        }),
      ]),
      KEY,
      { country: 'US', city: 'Ashburn', colo: 'IAD' }, // where the backend is, not the visitors
    )
    expect(await res.json()).toEqual({ accepted: 3, rejected: [] })
    const rows = await waitForEvents('srv-0000001', 'srv-0000002', 'srv-0000003')
    expect(rows.map((r) => [r.country, r.continent, r.city, r.device_type, r.os, r.is_bot])).toEqual([
      ['DE', 'EU', null, 'mobile', 'iOS', false],
      ['GB', 'EU', null, 'mobile', 'iOS', false],
      ['DE', 'EU', null, 'mobile', 'iOS', false],
    ])
    expect(rows[0]!.visitor_id).toBe(rows[2]!.visitor_id)
    expect(rows[0]!.visitor_id).not.toBe(rows[1]!.visitor_id)
    expect(rows[2]).toMatchObject({ revenue: 42.5, currency: 'EUR', event_time: new Date(ts) })
    expect(JSON.stringify(rows)).not.toMatch(/5\.9\.1\.1|81\.2\.69\.142/)
  })

  it('keeps no raw IP in any file of the lake, events or drop ledger', async () => {
    const ips = ['5.9.1.1', '81.2.69.142', '2a00:1450:4001:81b::200e']
    await postEvents(batchOf(ips.map((ip, i) => wireEventAt(`ipscan-00${i}`, Date.now(), { ip }))), KEY)
    await postEvents(batchOf([wireEventAt('ipscan-bad', Date.now(), { ip: '5.9.1.1' })]), { 'CF-Connecting-IP': '81.2.69.142' }) // refused: ledger
    await waitForEvents('ipscan-000', 'ipscan-001', 'ipscan-002')
    const all = JSON.stringify([...(await lakeRows('events/')), ...(await waitForLake((r) => r.length > 0, 'dropped/'))])
    for (const ip of ips) expect(all).not.toContain(ip)
  })

  it("does not flag the backend's own user agent as a bot", async () => {
    await postEvents(batchOf([wireEventAt('srv-0000004', Date.now(), { ip: '5.9.1.1' })]), {
      ...KEY,
      'User-Agent': 'python-requests/2.32.3',
    })
    const [row] = await waitForEvents('srv-0000004')
    expect(row).toMatchObject({ is_bot: false, bot_reason: null, browser: null, country: 'DE' })
  })

  it('still flags a bot the backend names', async () => {
    await postEvents(
      batchOf([
        wireEventAt('srv-0000005', Date.now(), {
          ip: '5.9.1.1',
          ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
        }),
      ]),
      KEY,
    )
    const [row] = await waitForEvents('srv-0000005')
    expect(row).toMatchObject({ is_bot: true, bot_reason: 'user-agent' })
  })

  it('uses the IP database for browsers where request.cf has no geo', async () => {
    await postEvents(batchOf([wireEventAt('geo-0000001')]), { 'CF-Connecting-IP': '81.2.69.142', Origin: ORIGIN })
    const [row] = await waitForEvents('geo-0000001')
    expect(row).toMatchObject({ country: 'GB', continent: 'EU', city: null })
  })
})
