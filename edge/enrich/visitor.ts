/**
 * Cookieless visitor id, Plausible's model: HMAC-SHA256(daily salt, site | IP | user agent). The salt is
 * random, created once per UTC day in R2 by the first writer (conditional put), cached per isolate, and
 * deleted by the cron after two days: from then on no id can be linked back to an IP. The IP is used here
 * and nowhere else.
 *
 * A visit that spans the midnight rotation would get a new id mid-visit. So in the first `gapMs` of a day
 * the event also carries the id under yesterday's salt (`visitor_id_prev`), and the session SQL joins
 * the two: the visit stays one session, and ids still cannot be linked across days otherwise.
 */
const DAY_MS = 86_400_000
const saltCache = new Map<string, Promise<CryptoKey>>()

export interface VisitorIds {
  visitor_id: string | null
  visitor_id_prev: string | null
}

export async function visitorIds(lake: R2Bucket, now: number, gapMs: number, site: string, ip: string, userAgent: string): Promise<VisitorIds> {
  const input = new TextEncoder().encode(`${site}|${ip}|${userAgent}`)
  const sinceMidnight = now % DAY_MS
  const [today, yesterday] = await Promise.all([
    hmac(await saltFor(lake, dayOf(now)), input),
    sinceMidnight < gapMs ? saltFor(lake, dayOf(now - DAY_MS)).then((k) => hmac(k, input)) : null,
  ])
  return { visitor_id: today, visitor_id_prev: yesterday }
}

/** The visitor id of one day (exported for tests). */
export async function visitorId(lake: R2Bucket, day: string, site: string, ip: string, userAgent: string): Promise<string> {
  return hmac(await saltFor(lake, day), new TextEncoder().encode(`${site}|${ip}|${userAgent}`))
}

const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10)

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

async function hmac(key: CryptoKey, input: Uint8Array): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, input))
  let hex = ''
  for (let i = 0; i < 16; i++) hex += HEX[mac[i]!]
  return hex
}

function saltFor(lake: R2Bucket, day: string): Promise<CryptoKey> {
  let salt = saltCache.get(day)
  if (!salt) {
    salt = loadOrCreateSalt(lake, day)
    salt.catch(() => saltCache.delete(day)) // a failed R2 call must not poison the cache
    saltCache.set(day, salt)
    if (saltCache.size > 3) saltCache.delete(saltCache.keys().next().value!)
  }
  return salt
}

async function loadOrCreateSalt(lake: R2Bucket, day: string): Promise<CryptoKey> {
  const key = `salts/${day}`
  let bytes = await lake.get(key).then((o) => o?.arrayBuffer())
  if (!bytes) {
    // Conditional create: of two isolates racing on a new day, the first writer wins and the other reads it.
    const fresh = crypto.getRandomValues(new Uint8Array(32))
    const put = await lake.put(key, fresh, { onlyIf: new Headers({ 'If-None-Match': '*' }) })
    bytes = put ? fresh.buffer : await lake.get(key).then((o) => o?.arrayBuffer())
    if (!bytes) throw new Error(`salt ${key} vanished after a conditional put`)
  }
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
}
