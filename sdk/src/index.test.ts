/**
 * The ESM package's typed options become exactly the configuration a script tag with the same attributes
 * gives (core.ts reads switches by presence and "off"), and importing the package touches no browser
 * global (server-side rendering imports it too).
 */
import { describe, expect, it } from 'vitest'
import { flush, identify, init, page, track } from './index.ts'
import { config } from './options.ts'

describe('ESM package', () => {
  it('maps options to the script tag dataset shape', () => {
    expect(config({ site: 'shop', endpoint: 'https://s.example/e' })).toEqual({
      site: 'shop',
      endpoint: 'https://s.example/e',
      spa: 'history',
    })
    expect(
      config({
        site: 'shop',
        endpoint: 'https://s.example/e',
        spa: 'hash',
        exclude: ['/admin/*', '/preview'],
        persist: true,
        respectDnt: true,
        localhost: false,
        automation: true,
        clicks: false,
        outbound: true,
        download: false,
      }),
    ).toEqual({
      site: 'shop',
      endpoint: 'https://s.example/e',
      spa: 'hash',
      exclude: '/admin/*,/preview',
      persist: '',
      respectDnt: '',
      automation: '',
      clicks: 'off',
      download: 'off',
    })
  })

  it('imports and is called without a browser, and never throws', () => {
    // No window, document or localStorage in Node: every call is inert, none throws.
    expect(() => {
      track('x', { a: 1 })
      page()
      identify('u')
      flush()
      init({ site: 'shop', endpoint: 'https://s.example/e' })
    }).not.toThrow()
  })
})
