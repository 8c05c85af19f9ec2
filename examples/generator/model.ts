/**
 * The simulated shoppers: who they are (device, user agent, country and IP, language, maybe an account
 * with traits) and what one visit does on the demo shop (landing from a source, browsing categories and
 * products, the funnel product -> cart -> checkout -> order), as the tracker would report it: wire events
 * with their client times. Pure and seeded: the same Random gives the same visit.
 */
import type { WireEvent } from '../../warehouse/wire.ts'
// Sessions end after a session gap without an event: a visitor's visits are further apart.
import { SESSION_GAP_MS } from '../../warehouse/session-gap.ts'
import type { Random } from './random.ts'
import {
  CATEGORIES,
  COUNTRIES,
  CURRENCY,
  DEVICES,
  PRODUCTS,
  SCREENS,
  SOURCES,
  TIERS,
  USER_AGENTS,
  type Device,
  type Product,
} from './world.ts'

export interface Visitor {
  index: number
  device: Device
  userAgent: string
  ip: string
  country: string
  language: string
  screen: string
  /** The shop account of a visitor who logs in (identify), with its traits. */
  user: { id: string; traits: { age: number; country: string; tier: string } } | null
  /** How likely this visitor comes back on a later day. */
  loyalty: number
  /** Visits made so far (`session` counts them): a returning customer behaves unlike a first-time one. */
  visits: number
}

export function newVisitor(rng: Random, index: number): Visitor {
  const device = rng.weighted(DEVICES)
  const country = rng.weighted(COUNTRIES.map((c) => [c.weight, c] as const))
  const [a, b] = rng.pick(country.blocks).split('.')
  const account = device !== 'bot' && rng.chance(0.18)
  return {
    index,
    device,
    userAgent: rng.weighted(USER_AGENTS[device]),
    ip: `${a}.${b}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
    country: country.code,
    language: country.language,
    screen: rng.pick(SCREENS[device]),
    user: account
      ? {
          id: `user-${index.toString(36).padStart(5, '0')}`,
          traits: { age: rng.int(18, 75), country: country.code, tier: rng.weighted(TIERS) },
        }
      : null,
    loyalty: device === 'bot' ? 0.3 : account ? 0.6 : rng.next() * 0.35,
    visits: 0,
  }
}

export interface SessionOptions {
  /** The shop's base URL, ending in "/" (its host must be one of the site's hosts). */
  base: string
  /** Makes a unique event id. */
  nextId: () => string
}

interface Page {
  url: string
  title: string
  kind: 'home' | 'category' | 'product' | 'cart' | 'checkout' | 'order'
  product?: Product
  category?: string
}

/**
 * One visit, from `start` (epoch ms): its wire events in time order. A pageview opens each page; the
 * engagement event of a page comes when it is left, as the tracker sends it.
 */
export function session(rng: Random, v: Visitor, start: number, opt: SessionOptions): WireEvent[] {
  const events: WireEvent[] = []
  const source = rng.weighted(SOURCES.map((s) => [s.weight, s] as const))
  const bot = v.device === 'bot'
  // Most visits browse; a few come to buy, and they are the ones who reach the checkout. A customer with an
  // account who comes back logs in as the visit starts and is likelier to buy than on a first visit, so
  // journeys to a first order span several visits and days (joined by the user id, warehouse/sql/persons.ts).
  const returning = v.user !== null && v.visits > 0
  v.visits++
  const intent = bot ? 0 : returning ? 0.6 : rng.chance(0.08) ? 0.5 : 0.03
  const loggedIn = v.user !== null && (rng.chance(0.6) || returning)
  let userId: string | undefined
  let t = start
  let current: Page | null = null
  let cart: Product[] = []

  const push = (e: Omit<WireEvent, 'id' | 'ts' | 'url'> & { url?: string }) => {
    events.push({ id: opt.nextId(), ts: Math.round(t), url: current!.url, ...(userId ? { userId } : {}), ...e } as WireEvent)
  }
  const leave = () => {
    if (!current) return
    const dwell = bot ? rng.int(300, 3000) : Math.min(600_000, Math.max(2000, rng.logNormal(22_000, 0.9)))
    t += dwell
    if (!bot)
      push({
        type: 'engagement',
        engagedMs: Math.round(dwell * (0.55 + rng.next() * 0.45)),
        scrollDepth: rng.int(current.kind === 'product' ? 35 : 10, 100),
      })
    t += rng.int(150, 1500) // the next page loads
  }
  const visit = (page: Page) => {
    const referrer = current ? current.url : source.referrer
    leave()
    current = page
    push({ type: 'pageview', title: page.title, ...(referrer ? { referrer } : {}), screen: v.screen, language: v.language })
  }
  const click = (p: Product) => {
    t += rng.int(400, 4000)
    push({
      type: 'event',
      name: 'product_click',
      props: { product_id: p.id, category: p.category },
      element: { tag: 'a', text: p.name, href: productPage(opt.base, p).url },
    })
    visit(productPage(opt.base, p))
  }

  // Landing: campaigns and searches land on products more often than direct visits.
  const query = source.query ? '?' + new URLSearchParams(source.query).toString() : ''
  const landing = rng.weighted<Page>([
    [source.referrer || source.query ? 35 : 50, homePage(opt.base)],
    [25, categoryPage(opt.base, rng.pick(CATEGORIES).id)],
    [source.referrer || source.query ? 40 : 25, productPage(opt.base, rng.pick(PRODUCTS))],
  ])
  visit({ ...landing, url: landing.url + (landing.url.includes('?') ? query.replace('?', '&') : query) })
  if (loggedIn && v.user) {
    t += rng.int(200, 2000)
    userId = v.user.id
    push({ type: 'identify', userId, props: { ...v.user.traits } })
  }

  let steps = bot ? rng.int(1, 6) : Math.max(1, Math.round(rng.logNormal(4, 0.7)))
  while (steps-- > 0) {
    const page: Page = current!
    if (bot) {
      visit(rng.chance(0.5) ? productPage(opt.base, rng.pick(PRODUCTS)) : categoryPage(opt.base, rng.pick(CATEGORIES).id))
      continue
    }
    switch (page.kind) {
      case 'home':
        if (rng.chance(0.55)) visit(categoryPage(opt.base, rng.pick(CATEGORIES).id))
        else click(rng.pick(PRODUCTS))
        break
      case 'category': {
        const inCategory = PRODUCTS.filter((p) => p.category === page.category)
        if (rng.chance(0.75)) click(rng.pick(inCategory))
        else visit(categoryPage(opt.base, rng.pick(CATEGORIES).id))
        break
      }
      case 'product':
        if (rng.chance(intent + 0.015)) {
          const p = page.product!
          t += rng.int(2000, 20_000)
          cart.push(p)
          push({ type: 'event', name: 'add_to_cart', props: { product_id: p.id, category: p.category, price: p.price, quantity: 1 } })
          if (rng.chance(0.6)) visit(cartPage(opt.base))
        } else if (rng.chance(0.5)) click(rng.pick(PRODUCTS))
        else visit(categoryPage(opt.base, page.product!.category))
        break
      case 'cart':
        if (cart.length && rng.chance(0.3 + intent)) {
          visit(checkoutPage(opt.base))
        } else visit(categoryPage(opt.base, rng.pick(CATEGORIES).id))
        break
      case 'checkout':
        if (rng.chance(0.45 + intent)) {
          t += rng.int(20_000, 180_000) // filling in the form
          const revenue = Math.round(cart.reduce((sum, p) => sum + p.price, 0) * 100) / 100
          const orderId = `o-${opt.nextId().slice(-10)}`
          push({ type: 'event', name: 'order', props: { order_id: orderId, revenue, currency: CURRENCY, items: cart.length } })
          visit({ url: `${opt.base}order`, title: 'Thank you - Footfall demo shop', kind: 'order' })
          cart = []
          steps = 0
        } else visit(cartPage(opt.base))
        break
      case 'order':
        steps = 0
        break
    }
  }
  leave()
  return events
}

/** Start of a visitor's next visit: at or after `wanted`, and more than a session gap after `lastEvent`. */
export function nextVisitStart(rng: Random, lastEvent: number | undefined, wanted: number): number {
  if (lastEvent === undefined) return wanted
  return Math.max(wanted, lastEvent + SESSION_GAP_MS + rng.int(60_000, 4 * 3_600_000))
}

export const homePage = (base: string): Page => ({ url: base, title: 'Footfall demo shop', kind: 'home' })
export const categoryPage = (base: string, id: string): Page => ({
  url: `${base}category?c=${id}`,
  title: `${CATEGORIES.find((c) => c.id === id)?.name ?? id} - Footfall demo shop`,
  kind: 'category',
  category: id,
})
export const productPage = (base: string, p: Product): Page => ({
  url: `${base}product?id=${p.id}`,
  title: `${p.name} - Footfall demo shop`,
  kind: 'product',
  product: p,
})
const cartPage = (base: string): Page => ({ url: `${base}cart`, title: 'Cart - Footfall demo shop', kind: 'cart' })
const checkoutPage = (base: string): Page => ({ url: `${base}checkout`, title: 'Checkout - Footfall demo shop', kind: 'checkout' })
