#!/usr/bin/env node
// @ts-check
// Sends a server-side event to Footfall from Node: a backend reports what a browser cannot see (a paid
// order confirmed by the payment provider, a refund, a sign-up made through an API), with the site's API
// key (SITE_KEYS) and, when it knows them, the visitor's IP and user agent so the event joins their visit.
//
//   FOOTFALL_URL=http://127.0.0.1:8787 FOOTFALL_KEY=demo-server-key node examples/server/send-event.mjs
//
// Server-side events are not limited to the collector's browser rules: they may be up to 400 days old,
// and name the visitor's `ip` and `ua` per event (a browser may not). See README, "Server-side events".
import { randomUUID } from 'node:crypto'

/**
 * Sends events for `site`; resolves to the collector's answer ({ accepted, rejected }).
 * @param {{ url: string, key: string, site: string, events: object[] }} o
 */
export async function sendServerEvents({ url, key, site, events }) {
  const res = await fetch(`${url}/e`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ site, sentAt: Date.now(), events }),
  })
  const body = await res.json()
  if (res.status !== 202) throw new Error(`Footfall answered ${res.status}: ${JSON.stringify(body)}`)
  return body
}

if (process.argv[1] === import.meta.filename) {
  const url = process.env.FOOTFALL_URL ?? 'http://127.0.0.1:8787'
  const answer = await sendServerEvents({
    url,
    key: process.env.FOOTFALL_KEY ?? 'demo-server-key',
    site: process.env.FOOTFALL_SITE ?? 'demo',
    events: [
      {
        id: randomUUID(),
        type: 'event',
        name: 'payment_captured',
        ts: Date.now(),
        // The page the purchase belongs to: its host must be one of the site's hosts.
        url: `${url.replace('127.0.0.1', 'localhost')}/demo/order`,
        userId: 'user-demo',
        props: { order_id: 'o-1001', revenue: 54.9, currency: 'EUR', provider: 'card' },
        ip: '81.2.69.142', // the customer's address as the shop's backend saw it (GB)
        ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      },
    ],
  })
  console.log(`sent: ${JSON.stringify(answer)}`)
}
