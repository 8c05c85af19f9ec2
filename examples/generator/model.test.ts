import { describe, expect, it } from 'vitest'
import { validateEvents } from '../../edge/validate.ts'
import { agentFrom } from '../../edge/enrich/ua.ts'
import { pages } from './live.ts'
import { SESSION_GAP_MS } from '../../warehouse/session-gap.ts'
import { newVisitor, session } from './model.ts'
import { Random } from './random.ts'
import { PRODUCTS } from './world.ts'

const BASE = 'http://127.0.0.1:8787/demo/'
const HOSTS = ['127.0.0.1', 'localhost'] // wrangler.toml SITES for "demo"

function visits(n: number, seed = 'test') {
  const rng = new Random(seed)
  let id = 0
  const nextId = () => `test-${(id++).toString(36).padStart(6, '0')}`
  return Array.from({ length: n }, (_, i) => {
    const vr = rng.fork(i)
    const v = newVisitor(vr, i)
    return { v, events: session(vr, v, Date.UTC(2026, 0, 10, 12) + i * 1000, { base: BASE, nextId }) }
  })
}

describe('visitor model', { timeout: 30_000 }, () => {
  const all = visits(2000)

  it('makes only events the edge accepts, batch by batch as live mode sends them', () => {
    let batches = 0
    for (const { events } of all) {
      for (const batch of pages(events)) {
        const sentAt = batch.at(-1)!.ts
        const { valid, rejected } = validateEvents(batch, { site: 'demo', hosts: HOSTS, sentAt, server: false })
        expect(rejected).toEqual([])
        expect(valid).toHaveLength(batch.length)
        batches++
      }
    }
    expect(batches).toBeGreaterThan(5000)
  })

  it('is deterministic for a seed and differs between seeds', () => {
    expect(visits(50, 'a')).toEqual(visits(50, 'a'))
    expect(visits(50, 'a')).not.toEqual(visits(50, 'b'))
  })

  it('keeps a visit in time order, within one session (no 30-minute gap inside it)', () => {
    for (const { events } of all) {
      for (let i = 1; i < events.length; i++) {
        expect(events[i]!.ts).toBeGreaterThanOrEqual(events[i - 1]!.ts)
        expect(events[i]!.ts - events[i - 1]!.ts).toBeLessThan(SESSION_GAP_MS)
      }
    }
  })

  it('has a shop funnel: product views > carts > orders, 1.5-5 % of human visits convert, revenue is the cart', () => {
    const humans = all.filter(({ v }) => v.device !== 'bot')
    const count = (name: string) => humans.filter(({ events }) => events.some((e) => e.name === name)).length
    const products = humans.filter(({ events }) => events.some((e) => e.type === 'pageview' && e.url.includes('/product?'))).length
    const carts = count('add_to_cart'),
      orders = count('order')
    expect(products).toBeGreaterThan(carts)
    expect(carts).toBeGreaterThan(orders)
    expect(orders / humans.length).toBeGreaterThan(0.015)
    expect(orders / humans.length).toBeLessThan(0.05)
    for (const { events } of humans) {
      const order = events.find((e) => e.name === 'order')
      if (!order) continue
      const cart = events.filter((e) => e.name === 'add_to_cart').map((e) => e.props!.price as number)
      expect(order.props!.revenue).toBeCloseTo(
        cart.reduce((a, b) => a + b, 0),
        2,
      )
      expect(order.props!.currency).toBe('EUR')
    }
  })

  it('clicks on products carry the product id and category, as data-ff-prop-* attributes would', () => {
    const clicks = all.flatMap(({ events }) => events.filter((e) => e.name === 'product_click'))
    expect(clicks.length).toBeGreaterThan(500)
    for (const c of clicks) {
      const p = PRODUCTS.find((x) => x.id === c.props!.product_id)
      expect(p?.category).toBe(c.props!.category)
      expect(c.element).toMatchObject({ tag: 'a', text: p!.name })
    }
  })

  it('mixes devices, bots, sources and identified users with traits', () => {
    const devices = new Set(all.map(({ v }) => agentFrom(v.userAgent).device_type ?? 'none'))
    expect([...devices]).toEqual(expect.arrayContaining(['desktop', 'mobile', 'tablet']))
    expect(all.filter(({ v }) => v.device === 'bot').length).toBeGreaterThan(20)
    const landings = all.map(({ events }) => events[0]!)
    expect(landings.filter((e) => e.url.includes('utm_campaign=')).length).toBeGreaterThan(100)
    expect(new Set(landings.map((e) => e.referrer && new URL(e.referrer).hostname)).size).toBeGreaterThan(8)
    const identifies = all.flatMap(({ events }) => events.filter((e) => e.type === 'identify'))
    expect(identifies.length).toBeGreaterThan(100)
    for (const e of identifies)
      expect(e.props).toEqual({ age: expect.any(Number), country: expect.any(String), tier: expect.stringMatching(/^(free|plus|pro)$/) })
    expect(new Set(all.map(({ v }) => v.country)).size).toBeGreaterThan(15)
  })
})
