/**
 * A known dataset for the dashboard tests, sent as server-side events (POST /e with the site's API key),
 * so each event names its visitor's IP, user agent and time. Deterministic: a seeded generator.
 */
import { listFiles } from '../helpers/lake.ts'
import { waitFor, type Stack } from '../helpers/stack.ts'
import { HOUR } from '../../warehouse/time.ts'

const UAS = {
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  chrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  bot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
}
// Public addresses the geo database places in known countries (see edge/collect-server.test.ts).
const IPS = ['5.9.1.1', '81.2.69.142', '5.9.1.2', '81.2.69.143', '5.9.1.3', '81.2.69.144']
const PAGES = ['/', '/pricing', '/shop/tea', '/shop/coffee', '/cart', '/blog/hello']
const REFS = ['', '', 'https://www.google.com/', 'https://news.ycombinator.com/item?id=1', 'https://t.co/x']

export interface Dataset {
  events: Record<string, unknown>[]
  from: number
  to: number
}

/** About `visits` visits spread over the `hours` before `end`, each 1-6 pageviews, some events, orders, identifies. */
export function makeDataset(end: number, visits = 60, hours = 40, seed = 7): Dataset {
  let s = seed
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)]!
  const events: Record<string, unknown>[] = []
  let n = 0
  const id = () => `ds-${String(n++).padStart(6, '0')}`
  const start = end - hours * 3_600_000
  for (let v = 0; v < visits; v++) {
    const ip = pick(IPS)
    const ua = v % 13 === 5 ? UAS.bot : pick([UAS.iphone, UAS.chrome, UAS.firefox])
    // The last 4 visits are live, for the realtime view: begun 8, 7, 6 and 5 minutes before `end`, each over
    // by it (at most 5 minutes long), so the realtime view's last 15 minutes hold visitors for 10 minutes after the
    // dataset is posted, also on a slow machine. The others spread over the range.
    let t = v >= visits - 4 ? end - (4 + (visits - v)) * 60_000 : start + Math.floor(rnd() * (hours * 3_600_000 - 3_600_000))
    const ref = pick(REFS)
    const utm = v % 4 === 0 ? '?utm_source=newsletter&utm_medium=email&utm_campaign=spring' : ''
    const views = 1 + Math.floor(rnd() * 6)
    for (let i = 0; i < views; i++) {
      const path = i === 0 ? pick(PAGES.slice(0, 3)) : pick(PAGES)
      events.push({
        id: id(),
        type: 'pageview',
        ts: t,
        url: `http://localhost${path}${i === 0 ? utm : ''}`,
        referrer: i === 0 && ref ? ref : undefined,
        title: path,
        ip,
        ua,
      })
      t += 20_000 + Math.floor(rnd() * (v >= visits - 4 ? 20_000 : 120_000))
      if (path.startsWith('/shop/') && rnd() < 0.6) {
        const category = path.slice(6)
        events.push({
          id: id(),
          type: 'event',
          name: 'add_to_cart',
          ts: t,
          url: `http://localhost${path}`,
          props: { product_id: `${category}-0${1 + Math.floor(rnd() * 3)}`, category },
          ip,
          ua,
        })
        t += 5_000
        if (rnd() < 0.5) {
          events.push({
            id: id(),
            type: 'event',
            name: 'order',
            ts: t,
            url: `http://localhost/cart`,
            props: { revenue: 10 + Math.floor(rnd() * 40), currency: 'EUR', category },
            ip,
            ua,
          })
          t += 5_000
        }
      }
    }
    if (v % 5 === 0) {
      events.push({
        id: id(),
        type: 'identify',
        ts: t,
        url: 'http://localhost/account',
        userId: `user-${v % 15}`,
        props: { age: 20 + (v % 30), tier: v % 2 ? 'gold' : 'free' },
        ip,
        ua,
      })
    }
  }
  return { events, from: start, to: end }
}

/** Posts the events in batches of at most 100 (the wire limit) and returns the number accepted. */
export async function postDataset(stack: Stack, d: Dataset, batchSize = 50): Promise<number> {
  let accepted = 0
  for (let i = 0; i < d.events.length; i += batchSize) {
    const events = d.events.slice(i, i + batchSize)
    const res = await fetch(`${stack.url}/e`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer demo-server-key', 'User-Agent': 'node' },
      body: JSON.stringify({ site: 'demo', sentAt: Date.now(), events }),
    })
    const body = (await res.json()) as { accepted: number; rejected: unknown[] }
    if (res.status !== 202 || body.rejected.length) throw new Error(`POST /e: ${res.status} ${JSON.stringify(body)}`)
    accepted += body.accepted
  }
  return accepted
}

/** Posts the dataset and waits until the lake lists every accepted event (the queue has delivered them). */
export async function seedDataset(stack: Stack, d: Dataset): Promise<void> {
  const accepted = await postDataset(stack, d)
  await waitFor(
    async () => (await listFiles(stack, 'demo', d.from - HOUR, d.to + HOUR)).reduce((n, f) => n + f.rows, 0) >= accepted,
    60_000,
  )
}
