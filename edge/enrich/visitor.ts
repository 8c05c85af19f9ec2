/**
 * Cookieless visitor id, Plausible's model: HMAC-SHA256(daily salt, site | IP | user agent). The salt is
 * random, created once per UTC day in R2 by the first writer (conditional put), cached per isolate, and
 * deleted by the cron after two days: from then on no id can be linked back to an IP. Besides this hash
 * the IP is read only to look up its country (`geoip.ts`); it is never stored or logged.
 *
 * A visit that spans the midnight rotation would get a new id mid-visit. So in the first `gapMs` of a day
 * the event also carries the id under yesterday's salt (`visitor_id_prev`), and the session SQL joins
 * the two: the visit stays one session, and ids still cannot be linked across days otherwise.
 */
import { SALTS_PREFIX } from '../../warehouse/lake.ts'
import { DAY } from '../../warehouse/time.ts'

const saltCache = new Map<string, Promise<CryptoKey>>()

export interface VisitorIds {
  visitor_id: string | null
  visitor_id_prev: string | null
}

/** The visitor hash of one day: HMAC-SHA256 of the input under that day's salt (its first 16 bytes, hex). */
export type DayHash = (input: string) => Promise<string>
/** The visitor hash of each UTC day (YYYY-MM-DD): the salts of R2 (`lakeHashes`), or the generator's. */
export type DayHashes = (day: string) => Promise<DayHash>

export async function visitorIds(
  lake: R2Bucket,
  now: number,
  gapMs: number,
  site: string,
  ip: string,
  userAgent: string,
): Promise<VisitorIds> {
  return visitorIdsWith(lakeHashes(lake), now, gapMs, site, ip, userAgent)
}

/** `visitorIds` with the day hashes given: the edge's rule, for the edge and the generator's backfill. */
export async function visitorIdsWith(
  hashes: DayHashes,
  now: number,
  gapMs: number,
  site: string,
  ip: string,
  userAgent: string,
): Promise<VisitorIds> {
  const input = `${site}|${ip}|${userAgent}`
  const sinceMidnight = now % DAY
  const [today, yesterday] = await Promise.all([
    hashes(dayOf(now)).then((h) => h(input)),
    sinceMidnight < gapMs ? hashes(dayOf(now - DAY)).then((h) => h(input)) : null,
  ])
  return { visitor_id: today, visitor_id_prev: yesterday }
}

/** The visitor id of one day (exported for tests). */
export async function visitorId(lake: R2Bucket, day: string, site: string, ip: string, userAgent: string): Promise<string> {
  return (await lakeHashes(lake)(day))(`${site}|${ip}|${userAgent}`)
}

/** The day hashes under the salts kept in R2 (`salts/<day>`, made by the first writer of the day). */
export const lakeHashes =
  (lake: R2Bucket): DayHashes =>
  (day) =>
    saltFor(lake, day).then(hashWith)

/** The visitor hash under one salt (an HMAC key, `saltKey`). */
export const hashWith =
  (key: CryptoKey): DayHash =>
  (input) =>
    hmac(key, new TextEncoder().encode(input))

/** A salt's 32 random bytes as the HMAC-SHA256 key of the visitor hash. */
export function saltKey(bytes: BufferSource): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
}

const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10)

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

async function hmac(key: CryptoKey, input: BufferSource): Promise<string> {
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
  const key = `${SALTS_PREFIX}${day}`
  let bytes = await lake.get(key).then((o) => o?.arrayBuffer())
  if (!bytes) {
    // Conditional create: of two isolates racing on a new day, the first writer wins and the other reads it.
    const fresh = crypto.getRandomValues(new Uint8Array(32))
    const put = await lake.put(key, fresh, { onlyIf: new Headers({ 'If-None-Match': '*' }) })
    bytes = put ? fresh.buffer : await lake.get(key).then((o) => o?.arrayBuffer())
    if (!bytes) throw new Error(`salt ${key} vanished after a conditional put`)
  }
  return saltKey(bytes)
}
