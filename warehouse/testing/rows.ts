/** Test rows for the warehouse: a full row with every column set, overridable per test. */
import type { EventRow } from '../schema.ts'

export function eventRow(over: Partial<EventRow> & Pick<EventRow, 'event_id'>): EventRow {
  const t = over.event_time ?? Date.UTC(2026, 0, 10, 10, 0)
  return {
    site: 'demo', type: 'pageview', name: null, event_time: t, client_time: t, received_time: t + 50,
    visitor_id: 'v1', visitor_id_prev: null, user_id: null, url: 'https://shop.example/', host: 'shop.example', path: '/', title: null,
    referrer: null, referrer_host: null, channel: 'direct', utm_source: null, utm_medium: null, utm_campaign: null,
    utm_term: null, utm_content: null, click_id: null, props: null, product_id: null, category: null, revenue: null, currency: null,
    element_tag: null, element_text: null, element_href: null, engaged_ms: null, scroll_depth: null, screen: null,
    language: null, country: null, region: null, city: null, continent: null, timezone: null, asn: null, colo: null,
    browser: null, browser_version: null, os: null, os_version: null, device_type: null, device_vendor: null, device_model: null, is_bot: false,
    bot_reason: null, ...over,
  }
}
