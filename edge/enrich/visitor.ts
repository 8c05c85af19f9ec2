/**
 * Cookieless visitor id, Plausible's model: HMAC-SHA256(daily salt, site | IP | user agent). The salt is
 * random, created once per UTC day in R2 by the first writer, and cached per isolate. The IP is used here
 * and nowhere else: it never leaves this function.
 */
const saltCache = new Map<string, Promise<CryptoKey>>()

export async function visitorId(lake: R2Bucket, day: string, site: string, ip: string, userAgent: string) {
  const key = await saltFor(lake, day)
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${site}|${ip}|${userAgent}`))
  return hex(new Uint8Array(mac, 0, 16))
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

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
