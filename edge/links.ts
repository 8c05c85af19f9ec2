/**
 * Shared links: a read-only dashboard of one site for whoever holds the link, without the owner's token.
 *
 * A link token is `fl1.<claims>.<sig>`: base64url JSON claims `{ id, site, exp?, sql? }` and base64url
 * HMAC-SHA-256 of `"fl1.<claims>"` under a key derived from the worker's secret (keys.ts `derivedKey`), so
 * nobody can make or widen one without it, and rotating the secret voids every link. A link is valid only
 * while its id is in its site's list (`settings/site=<site>/links.json`): removing it revokes the link at
 * once, and a lost list revokes every link rather than reviving one.
 */
import { base64url, derivedKey, fromBase64url } from './keys.ts'
import type { Env } from './env.ts'

/** What a link grants: one site, until `exp` (epoch seconds) if set, the SQL console only if `sql`. */
export interface LinkClaims {
  id: string
  site: string
  exp?: number
  sql?: boolean
}

/** A link as its site's list keeps it (the token is not stored: the owner's listing signs it again). */
export interface StoredLink extends LinkClaims {
  created: string
  label?: string
}

const PREFIX = 'fl1.'
const KEY_LABEL = 'footfall share link v1'
/** Enough for any team; it keeps the list one small object read on every request of a link. */
export const MAX_LINKS_PER_SITE = 100

/** Is this bearer value a link token (rather than the owner's token)? */
export const isLinkToken = (bearer: string) => bearer.startsWith(PREFIX)

/** The settings object holding a site's links. */
export const linksKey = (site: string) => `settings/site=${site}/links.json`

/**
 * The token of a link's claims.
 * @example await linkToken(env, { id: 'Qx3…', site: 'demo', exp: 1767000000 }) // 'fl1.eyJ….Mh2…'
 */
export async function linkToken(env: Env, claims: LinkClaims): Promise<string> {
  const k = await derivedKey(env, KEY_LABEL)
  if (!k) throw new Error('no DASHBOARD_TOKEN or SIGNING_KEY to sign with')
  // Only the claims, in a fixed order: a stored link with a label or creation time makes the same token.
  const body = base64url(enc.encode(JSON.stringify({ id: claims.id, site: claims.site, exp: claims.exp, sql: claims.sql || undefined })))
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(PREFIX + body)))
  return `${PREFIX}${body}.${base64url(sig)}`
}

/** The claims of a valid, current, unrevoked link token, or why it is refused (a 403's reason). */
export async function verifyLink(env: Env, lake: R2Bucket, token: string): Promise<LinkClaims | { error: string }> {
  const m = /^fl1\.([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (!m) return { error: 'bad link' }
  const [, body, sig] = m as unknown as [string, string, string]
  const mac = fromBase64url(sig)
  // One spelling per signature (the 43rd character carries 2 unused bits).
  if (base64url(mac) !== sig) return { error: 'bad link' }
  const k = await derivedKey(env, KEY_LABEL)
  // HMAC verify compares in constant time.
  if (!k || !(await crypto.subtle.verify('HMAC', k, mac, enc.encode(PREFIX + body)))) return { error: 'bad link' }
  let claims: LinkClaims
  try {
    claims = JSON.parse(new TextDecoder().decode(fromBase64url(body))) as LinkClaims
  } catch {
    return { error: 'bad link' }
  }
  if (claims.exp !== undefined && claims.exp < Date.now() / 1000) return { error: 'link expired' }
  const listed = (await readLinks(lake, claims.site)).links.some((l) => l.id === claims.id)
  if (!listed) return { error: 'link revoked' }
  return claims
}

/** A site's links and the list's ETag (null: no list yet), for a conditional write. */
export async function readLinks(lake: R2Bucket, site: string): Promise<{ links: StoredLink[]; etag: string | null }> {
  const o = await lake.get(linksKey(site))
  if (!o) return { links: [], etag: null }
  return { links: ((await o.json()) as { links: StoredLink[] }).links, etag: o.etag }
}

/**
 * Changes a site's list in place by `change` (false: nothing to write) with a conditional put, again on a
 * concurrent write (two owners' tabs), so neither write loses the other's link. Returns what `change` did.
 */
export async function updateLinks(lake: R2Bucket, site: string, change: (links: StoredLink[]) => boolean): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { links, etag } = await readLinks(lake, site)
    const out = change(links)
    if (!out) return false
    const body = JSON.stringify({ links })
    // No list yet: create it only if nobody else just did.
    const onlyIf = etag ? { etagMatches: etag } : new Headers({ 'If-None-Match': '*' })
    const put = await lake.put(linksKey(site), body, { onlyIf, httpMetadata: { contentType: 'application/json' } })
    if (put) return out
  }
  throw new Error(`the links of ${site} changed five times while being written`)
}

/** A fresh link id: 128 random bits. */
export const newLinkId = () => base64url(crypto.getRandomValues(new Uint8Array(16)))

const enc = new TextEncoder()
