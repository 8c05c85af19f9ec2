/**
 * The demo shop in real Chromium on the local stack: a purchase through the multi-page shop and through
 * the single-page one (History routing, deep links), read back from the lake.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import catalog from '../../examples/shop/catalog.json' with { type: 'json' }
import { launchChromium } from '../helpers/browser.ts'
import { downloadLake, listFiles } from '../helpers/lake.ts'
import { freePort, startStack, waitFor, type Stack } from '../helpers/stack.ts'
import type { Row } from '../../warehouse/native.ts'

let stack: Stack
let browser: BrowserContext
let origin = ''

beforeAll(async () => {
  browser = await launchChromium()
  stack = await startStack({ port: await freePort() })
  origin = stack.url.replace('127.0.0.1', 'localhost')
})
afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  return { page, errors }
}

/** Rows of `sql` over the whole lake, once `done` says they are all there. */
async function lakeRows(sql: string, done: (rows: Row[]) => boolean): Promise<Row[]> {
  let rows: Row[] = []
  await waitFor(async () => {
    const { lake } = await downloadLake(stack, await listFiles(stack))
    rows = await lake.run({ sql, params: [] })
    return done(rows)
  }, 20_000)
  return rows
}

describe('demo shop', () => {
  it('multi-page: product links carry click attributes; a purchase arrives as pageviews, add_to_cart and an order with revenue', async () => {
    const { page, errors } = await newPage()
    await page.goto(`${origin}/demo/`)
    const links = await page
      .locator('#products a')
      .evaluateAll((as) => as.map((a) => ({ ...(a as HTMLElement).dataset, href: a.getAttribute('href') }) as Record<string, string>))
    expect(links.length).toBeGreaterThan(2)
    for (const l of links) {
      const p = catalog.products.find((x) => x.id === l.ffPropProduct_id)!
      expect(l).toEqual({ ffEvent: 'product_click', ffPropProduct_id: p.id, ffPropCategory: p.category, href: `/demo/product?id=${p.id}` })
    }
    await page.click('#nav a:has-text("Teaware")')
    await page.waitForURL(/\/demo\/category\?c=teaware$/)
    await page.click('#products a >> nth=0') // teaware-01, the cast-iron teapot
    await page.waitForURL(/\/demo\/product\?id=teaware-01$/)
    expect(await page.textContent('h1')).toBe('Cast-iron teapot')
    await page.click('#add-to-cart')
    await page.waitForURL(/\/demo\/cart$/)
    await page.click('#to-checkout')
    await page.waitForURL(/\/demo\/checkout$/)
    await page.click('#place-order')
    await page.waitForURL(/\/demo\/order$/)
    await page.goto('about:blank') // leaving flushes the last batch
    expect(errors).toEqual([])

    const rows = await lakeRows(
      `SELECT type, name, path, product_id, category, revenue, currency, props FROM events_raw ORDER BY event_time`,
      (r) => r.some((x) => x.path === '/demo/order'),
    )
    expect(rows.filter((r) => r.type === 'pageview').map((r) => r.path)).toEqual([
      '/demo/',
      '/demo/category',
      '/demo/product',
      '/demo/cart',
      '/demo/checkout',
      '/demo/order',
    ])
    // The product link's data-ff-event and data-ff-prop-* attributes, captured by the tracker on click.
    expect(rows.filter((r) => r.name === 'product_click')).toMatchObject([
      { type: 'event', product_id: 'teaware-01', category: 'teaware', path: '/demo/category' },
    ])
    expect(rows.find((r) => r.name === 'add_to_cart')).toMatchObject({
      product_id: 'teaware-01',
      category: 'teaware',
      path: '/demo/product',
    })
    expect(rows.find((r) => r.name === 'order')).toMatchObject({ revenue: 49, currency: 'EUR', path: '/demo/checkout' })
  })

  it('single page: History routing renders each route, deep links load, the purchase is tracked', async () => {
    const { page, errors } = await newPage()
    await page.goto(`${origin}/demo/spa/`)
    await page.click('#nav a:has-text("Coffee")')
    await page.waitForURL(/\/demo\/spa\/category\/coffee$/)
    await page.click('#products a >> nth=1')
    await page.waitForURL(/\/demo\/spa\/product\/coffee-02$/)
    expect(await page.textContent('h1')).toBe('Colombia Huila, ground')
    await page.click('#add-to-cart')
    await page.waitForURL(/\/demo\/spa\/cart$/)
    await page.goBack()
    await page.waitForURL(/\/demo\/spa\/product\/coffee-02$/)
    expect(await page.textContent('h1')).toBe('Colombia Huila, ground')
    // A deep link is a real page too (scripts/build.mjs writes one per route).
    await page.goto(`${origin}/demo/spa/product/tea-03`)
    expect(await page.textContent('h1')).toBe('Oolong, Tieguanyin')
    await page.goto(`${origin}/demo/spa/checkout`)
    await page.click('#place-order')
    await page.waitForURL(/\/demo\/spa\/order$/)
    expect(await page.textContent('#confirmation')).toContain('on its way')
    await page.goto('about:blank')
    expect(errors).toEqual([])

    const rows = await lakeRows(
      `SELECT type, name, path, product_id, revenue FROM events_raw WHERE path LIKE '/demo/spa/%' ORDER BY event_time`,
      (r) => r.some((x) => x.name === 'order') && r.some((x) => x.type === 'pageview' && x.path === '/demo/spa/order'),
    )
    // Every History navigation counted once, the back button included; deep links are page loads.
    expect(rows.filter((r) => r.type === 'pageview').map((r) => r.path)).toEqual([
      '/demo/spa/',
      '/demo/spa/category/coffee',
      '/demo/spa/product/coffee-02',
      '/demo/spa/cart',
      '/demo/spa/product/coffee-02',
      '/demo/spa/product/tea-03',
      '/demo/spa/checkout',
      '/demo/spa/order',
    ])
    expect(rows.filter((r) => r.name === 'product_click')).toMatchObject([{ product_id: 'coffee-02', path: '/demo/spa/category/coffee' }])
    expect(rows.find((r) => r.name === 'add_to_cart')).toMatchObject({ product_id: 'coffee-02', path: '/demo/spa/product/coffee-02' })
    expect(rows.find((r) => r.name === 'order')).toMatchObject({ revenue: 13.5, path: '/demo/spa/checkout' })
  })
})
