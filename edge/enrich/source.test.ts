import { describe, expect, it } from 'vitest'
import { sourceOf } from './source.ts'

describe('sourceOf', () => {
  it('extracts UTM fields and strips them and click ids from the stored URL, keeping other parameters', () => {
    const s = sourceOf(
      'https://shop.example/p/shoes?size=42&utm_source=news&utm_medium=email&utm_campaign=spring&gclid=abc123#reviews',
      undefined,
    )
    expect(s).toEqual({
      url: 'https://shop.example/p/shoes?size=42',
      host: 'shop.example',
      path: '/p/shoes',
      referrer: null,
      referrer_host: null,
      channel: 'paid',
      click_id: 'gclid',
      utm_source: 'news',
      utm_medium: 'email',
      utm_campaign: 'spring',
      utm_term: null,
      utm_content: null,
    })
  })

  it('keeps hash routes as part of the page', () => {
    expect(sourceOf('https://app.example/#/settings?tab=1', undefined)).toMatchObject({
      path: '/#/settings?tab=1',
      url: 'https://app.example/#/settings?tab=1',
    })
  })

  it.each([
    ['https://shop.example/p', 'https://shop.example/p'],
    ['https://shop.example/p?', 'https://shop.example/p'],
    ['https://shop.example/p#', 'https://shop.example/p'],
    ['https://shop.example/p?#top', 'https://shop.example/p'],
    ['https://shop.example/p?q=green%20tea', 'https://shop.example/p?q=green+tea'],
    ['https://shop.example/p/%7Euser/', 'https://shop.example/p/%7Euser/'],
  ])('stores %s as %s', (url, stored) => {
    expect(sourceOf(url, undefined).url).toBe(stored)
  })

  it('honours a configured strip list', () => {
    expect(sourceOf('https://shop.example/?session=s3cr3t&q=tea', undefined, ['session']).url).toBe('https://shop.example/?q=tea')
  })

  it.each([
    [undefined, '', 'direct'],
    ['https://shop.example/cart', '', 'direct'], // same host: in-site navigation
    ['https://www.google.com/', '', 'search'],
    ['https://duckduckgo.com/', '', 'search'],
    ['https://t.co/xyz', '', 'social'],
    ['https://www.reddit.com/r/tea', '', 'social'],
    ['https://blog.example.org/post', '', 'referral'],
    ['https://www.google.com/', '?utm_medium=cpc', 'paid'],
    [undefined, '?utm_medium=newsletter', 'email'],
    [undefined, '?fbclid=IwAR0', 'social'],
    [undefined, '?msclkid=x', 'paid'],
  ])('referrer %s with %s is %s', (referrer, query, channel) => {
    const s = sourceOf(`https://shop.example/${query}`, referrer)
    expect(s.channel).toBe(channel)
    expect(s.url).not.toMatch(/clid|utm_/)
  })

  it('reports the referrer host only for other sites', () => {
    expect(sourceOf('https://shop.example/', 'https://news.example/a').referrer_host).toBe('news.example')
    expect(sourceOf('https://shop.example/', 'https://shop.example/b').referrer_host).toBeNull()
  })

  it("stores a referrer on the page's own host as no referrer, whatever its path, scheme or port", () => {
    for (const ref of ['https://shop.example/b', 'http://shop.example/cart?x=1', 'https://shop.example:8443/'])
      expect(sourceOf('https://shop.example/p?utm_source=news', ref), ref).toMatchObject({
        referrer: null,
        referrer_host: null,
        channel: 'direct',
        utm_source: 'news',
      })
    // Another host, a subdomain included, stays a referrer.
    expect(sourceOf('https://shop.example/', 'https://blog.shop.example/a')).toMatchObject({
      referrer: 'https://blog.shop.example/a',
      referrer_host: 'blog.shop.example',
      channel: 'referral',
    })
  })
})
