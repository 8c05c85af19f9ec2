/**
 * The dashboard's read API over the lake:
 *   GET /api/files?site=&from=&to=[&table=events|dropped][&rollups=1][&signed=1&ttl=s]   which Parquet files cover a time range
 *     (`rollups=1`, events only: each compacted day file's pageview rollup, warehouse/rollup.ts, as `rollup`)
 *   GET /api/aggregates?site=&from=&to=   the site's time zone and the aggregate file of each local day of a
 *     range (warehouse/aggregate): one listing per 1,000 days, however long the range
 *   GET|HEAD /data/<key>             one file, with Range (206) and ETag (304) support
 *   GET|HEAD /data/<key>?exp=&sig=   the same without the bearer token: a signed URL (`signed=1` above)
 */
import { Hono, type Context, type Next } from 'hono'
import {
  aggregatePrefix,
  datePrefix,
  datesBetween,
  decodeMeta,
  type LakeFile,
  listAll,
  TABLES,
  visibleObjects,
  type ListedObject,
  type ListingBucket,
  type Table,
} from '../warehouse/lake.ts'
import { currentAggregates } from '../warehouse/aggregate/months.ts'
import { SLICE_DIMS, type SliceDim } from '../warehouse/aggregate/columns.ts'
import { eventsKeyOf } from '../warehouse/rollup.ts'
import type { Env } from './env.ts'
import { type AuthEnv, requireToken } from './auth.ts'
import { linkRefusal, linkScope } from './access.ts'
import { base64url, derivedKey, fromBase64url } from './keys.ts'
import { parseRange, preconditionFailed, resolveRange, satisfiable } from './http-range.ts'
import { knownSite, zoneOf } from './sites.ts'
import { DAY } from '../warehouse/time.ts'

const MAX_RANGE_DAYS = 400
/** Lifetime of a signed URL: one hour unless `ttl` (seconds) asks otherwise, at most 7 days. */
const SIGNED_TTL_S = 3600
const SIGNED_MAX_TTL_S = 7 * 86_400

/** Lake prefixes `/data/` serves: the tables, and the rollups beside compacted files. */
const SERVED = [...TABLES, 'rollups', 'aggregates']

/**
 * The visible files of a site and table that overlap [from, to] (epoch ms), from R2 prefixes and metadata
 * only (no file is read), and with `rollups` each events file's pageview rollup (warehouse/rollup.ts).
 */
export async function listLakeFiles(
  lake: ListingBucket,
  site: string,
  table: Table,
  from: number,
  to: number,
  rollups = false,
): Promise<LakeFile[]> {
  const files: LakeFile[] = []
  for (const date of datesBetween(new Date(from), new Date(to))) {
    // The whole date is listed before filtering: a merged file hides the parts it replaces (lake.ts), so a
    // compaction cut off at any step still lists each event once.
    const objects = await listAll(lake, datePrefix(site, date, table))
    // A rollup counts only beside its own visible file (one left by a cut-off compaction is ignored).
    const byFile = new Map<string, ListedObject & { size: number }>()
    if (rollups && table === 'events')
      for (const r of await listAll(lake, `rollups/site=${site}/date=${date}/`)) byFile.set(eventsKeyOf(r.key), r)
    for (const o of visibleObjects(objects).visible) {
      const meta = decodeMeta(o.customMetadata)
      if (!meta || meta.maxTime < from || meta.minTime > to) continue
      const file: LakeFile = {
        key: o.key,
        url: `/data/${o.key}`,
        rows: meta.rows,
        bytes: o.size,
        minTime: new Date(meta.minTime).toISOString(),
        maxTime: new Date(meta.maxTime).toISOString(),
      }
      const r = byFile.get(o.key)
      if (r) file.rollup = { key: r.key, url: `/data/${r.key}`, bytes: r.size }
      files.push(file)
    }
  }
  return files
}

export const lakeApi = new Hono<AuthEnv>()
// The API's answers are JSON or Parquet, never a page: nothing in them may run, be framed or be sniffed.
lakeApi.use('/api/*', apiHeaders)
lakeApi.use('/data/*', apiHeaders)
const auth = requireToken()
lakeApi.use('/api/*', auth)
// A shared link reaches only its site's listings and files (access.ts); the owner everything.
lakeApi.use('/api/*', linkScope())
// An unknown site says so (404) instead of listing nothing.
lakeApi.use('/api/files', unknownSite)
lakeApi.use('/api/aggregates', unknownSite)
lakeApi.use('/data/*', async (c, next) => {
  const exp = c.req.query('exp')
  const sig = c.req.query('sig')
  if (exp === undefined && sig === undefined) {
    const refusedToken = await auth(c, async () => {})
    if (refusedToken) return refusedToken
    const refused = linkRefusal(c.get('access'), c, keyOf(c.req.path))
    if (refused) return c.json({ error: refused }, 403)
    return next()
  }
  // A signed URL stands for the bearer token, for this one file, until it expires.
  const key = keyOf(c.req.path)
  const refused = key === null ? 'bad signature' : await checkSignature(c.env, key, exp, sig)
  if (refused) return c.json({ error: refused }, 403)
  await next()
  // A browser may keep the file, but not past the URL's expiry.
  if (c.res.status < 300) c.res.headers.set('Cache-Control', `private, max-age=${Math.max(0, Number(exp) - Math.floor(Date.now() / 1000))}`)
})

lakeApi.get('/api/files', async (c) => {
  const site = c.req.query('site')
  if (!site || !/^[a-z0-9_][a-z0-9_-]*$/.test(site)) return c.json({ error: 'site is required (lowercase id)' }, 400)
  const table = (c.req.query('table') ?? 'events') as Table
  if (!TABLES.includes(table)) return c.json({ error: `table must be one of ${TABLES.join(', ')}` }, 400)
  const to = timeParam(c.req.query('to'), Date.now())
  const from = timeParam(c.req.query('from'), (to ?? Date.now()) - 7 * DAY)
  if (from === null || to === null) return c.json({ error: 'from and to must be ISO 8601 times or epoch milliseconds' }, 400)
  if (from > to) return c.json({ error: 'from is after to' }, 400)
  if (to - from > MAX_RANGE_DAYS * DAY) return c.json({ error: `range longer than ${MAX_RANGE_DAYS} days` }, 400)
  const signed = c.req.query('signed') === '1'
  const ttl = c.req.query('ttl') === undefined ? SIGNED_TTL_S : Number(c.req.query('ttl'))
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > SIGNED_MAX_TTL_S)
    return c.json({ error: `ttl must be 1 to ${SIGNED_MAX_TTL_S} seconds` }, 400)
  const exp = Math.floor(Date.now() / 1000) + ttl

  const files = await listLakeFiles(c.env.LAKE, site, table, from, to, c.req.query('rollups') === '1')
  if (signed) {
    for (const f of files) {
      f.signedUrl = await signedUrl(c.env, f.key, exp)
      if (f.rollup) f.rollup.signedUrl = await signedUrl(c.env, f.rollup.key, exp)
    }
  }
  c.header('Cache-Control', 'no-store')
  return c.json({ files })
})

/** A file of the aggregate tier as `/api/aggregates` lists it. */
interface ListedAggregate {
  key: string
  url: string
  bytes: number
  signedUrl?: string
}

/** One local day's aggregate file, as `/api/aggregates` lists it: its own, or its month's (shared by the month's days). */
export interface AggregateFile extends ListedAggregate {
  date: string // the local date (YYYY-MM-DD) in the site's zone
  /** The file's slice of the dimension asked for (`slice=`), when it has one (warehouse/aggregate/columns.ts). */
  slice?: ListedAggregate
  /** A day without events: it has no slices, and a filter counts nothing on it. */
  empty?: true
}

/**
 * The aggregate files of a site's local dates `from`..`to` (YYYY-MM-DD) in zone `tz`, from one listing of
 * the site's aggregates (a page per 1,000 files): the newest of a date when a rebuild left two for a moment,
 * or its month's file while that is current (warehouse/aggregate/months.ts); with `slice`, each file's slice
 * of that dimension where it has one.
 */
export async function listAggregates(
  lake: ListingBucket,
  site: string,
  tz: string,
  from: string,
  to: string,
  slice?: SliceDim,
): Promise<AggregateFile[]> {
  const days = await currentAggregates(await listAll(lake, aggregatePrefix(site)), tz)
  const listed = (f: { key: string; size: number }) => ({ key: f.key, url: `/data/${f.key}`, bytes: f.size })
  return days
    .filter((d) => d.date >= from && d.date <= to)
    .map((d) => {
      const s = slice && d.slices[slice]
      return { date: d.date, ...listed(d), ...(s ? { slice: listed(s) } : {}), ...(d.empty ? { empty: true as const } : {}) }
    })
}

lakeApi.get('/api/aggregates', async (c) => {
  const site = c.req.query('site')
  if (!site || !/^[a-z0-9_][a-z0-9_-]*$/.test(site)) return c.json({ error: 'site is required (lowercase id)' }, 400)
  const date = /^\d{4}-\d\d-\d\d$/
  const from = c.req.query('from') ?? '0000-01-01',
    to = c.req.query('to') ?? '9999-12-31'
  if (!date.test(from) || !date.test(to)) return c.json({ error: 'from and to must be local dates (YYYY-MM-DD)' }, 400)
  const slice = c.req.query('slice')
  if (slice !== undefined && !(SLICE_DIMS as readonly string[]).includes(slice))
    return c.json({ error: `slice must be one of ${SLICE_DIMS.join(', ')}` }, 400)
  const tz = zoneOf(c.env, site)
  const days = await listAggregates(c.env.LAKE, site, tz, from, to, slice as SliceDim | undefined)
  if (c.req.query('signed') === '1') {
    const exp = Math.floor(Date.now() / 1000) + SIGNED_TTL_S
    for (const d of days) {
      d.signedUrl = await signedUrl(c.env, d.key, exp)
      if (d.slice) d.slice.signedUrl = await signedUrl(c.env, d.slice.key, exp)
    }
  }
  c.header('Cache-Control', 'no-store')
  return c.json({ site, tz, days })
})

lakeApi.get('/data/*', async (c) => {
  const key = keyOf(c.req.path)
  if (key === null || !SERVED.some((t) => key.startsWith(`${t}/`)) || !key.endsWith('.parquet') || key.includes('..')) {
    return c.json({ error: 'not a lake file' }, 404)
  }
  const headers = c.req.raw.headers
  const range = parseRange(headers.get('Range'))
  let object: R2Object | R2ObjectBody | null
  try {
    object = await c.env.LAKE.get(key, { range: range ?? undefined, onlyIf: headers })
  } catch {
    // R2 refuses a range past the end: 416 with the size, so the client can ask again (RFC 9110 15.5.17).
    const size = (await c.env.LAKE.head(key))?.size
    if (size === undefined) return c.json({ error: 'no such file' }, 404)
    return c.json({ error: `range not satisfiable: the file has ${size} bytes` }, 416, { 'Content-Range': `bytes */${size}` })
  }
  if (!object) return c.json({ error: 'no such file' }, 404)

  const out = new Headers()
  object.writeHttpMetadata(out)
  out.set('ETag', object.httpEtag)
  out.set('Accept-Ranges', 'bytes')
  // Lake files never change under a key (a rewrite has the same content): cache them for good.
  out.set('Cache-Control', 'private, max-age=31536000, immutable')
  // R2 leaves out the body on any failed condition: If-Match is a 412, only If-None-Match a 304.
  if (!('body' in object)) {
    if (preconditionFailed(headers, object))
      return c.json({ error: 'precondition failed: the file has another ETag' }, 412, { ETag: object.httpEtag })
    return new Response(null, { status: 304, headers: out })
  }

  // A Range that is not one well-formed byte range is ignored: the whole file, 200 (RFC 9110 14.2).
  if (range) {
    if (!satisfiable(range, object.size)) {
      await object.body.cancel()
      return c.json({ error: `range not satisfiable: the file has ${object.size} bytes` }, 416, {
        'Content-Range': `bytes */${object.size}`,
      })
    }
    const { start, length } = resolveRange(range, object.size)
    out.set('Content-Range', `bytes ${start}-${start + length - 1}/${object.size}`)
    out.set('Content-Length', String(length))
    return new Response(object.body, { status: 206, headers: out })
  }
  out.set('Content-Length', String(object.size))
  return new Response(object.body, { status: 200, headers: out })
})

/**
 * 404 for a site that is neither configured (SITES) nor in the lake, so `?site=nope` reads as unknown rather
 * than as a site without traffic. A site removed from SITES stays readable while the lake holds its files.
 */
async function unknownSite(c: Context<AuthEnv>, next: Next) {
  const site = c.req.query('site')
  // A missing or malformed id is the route's own 400.
  if (site && /^[a-z0-9_][a-z0-9_-]*$/.test(site)) {
    const table = c.req.path === '/api/aggregates' ? 'aggregates' : (c.req.query('table') ?? 'events')
    if (!(await knownSite(c.env, c.env.LAKE, site, table)))
      return c.json({ error: `unknown site: ${site} is not configured (SITES) and has no data` }, 404)
  }
  await next()
}

function timeParam(v: string | undefined, fallback: number): number | null {
  if (v === undefined || v === '') return fallback
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v)
  return Number.isFinite(t) ? t : null
}

/** The lake key of a /data/ path; null when its percent-encoding is malformed (a 404, never a 500). */
function keyOf(path: string): string | null {
  try {
    return decodeURIComponent(path.slice('/data/'.length))
  } catch {
    return null
  }
}

async function apiHeaders(c: Context, next: Next): Promise<void> {
  await next()
  c.res.headers.set('X-Content-Type-Options', 'nosniff')
  c.res.headers.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
  c.res.headers.set('Referrer-Policy', 'no-referrer')
}

/**
 * The HMAC key of signed URLs: derived from `SIGNING_KEY`, else `DASHBOARD_TOKEN` (so rotating the token
 * revokes every signed URL), as HMAC-SHA-256(secret, "footfall signed url v1") (keys.ts).
 */
const signingKey = (env: Env) => derivedKey(env, 'footfall signed url v1')
const enc = new TextEncoder()

/** What a signature covers: the lake key and the expiry (epoch seconds), one per line. */
const signedText = (key: string, exp: number) => enc.encode(`${key}\n${exp}`)

/**
 * The signed URL of a lake file, valid until `exp` (epoch seconds):
 * `/data/<key>?exp=<exp>&sig=<base64url HMAC-SHA-256 of "<key>\n<exp>">`.
 * @example await signedUrl(env, 'events/site=demo/date=2026-01-10/hour=10/ab.parquet', 1767000000)
 */
export async function signedUrl(env: Env, key: string, exp: number): Promise<string> {
  const k = await signingKey(env)
  if (!k) throw new Error('no DASHBOARD_TOKEN or SIGNING_KEY to sign with')
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', k, signedText(key, exp)))
  return `/data/${key}?exp=${exp}&sig=${base64url(sig)}`
}

/** Why a signed URL is refused (a 403's reason), or null when it is valid now. */
export async function checkSignature(env: Env, key: string, exp: string | undefined, sig: string | undefined): Promise<string | null> {
  // One spelling per expiry (no leading zeros): a signed URL is one string, as issued.
  if (!exp || !/^[1-9]\d{0,11}$/.test(exp) || !sig || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'bad signature'
  const mac = fromBase64url(sig)
  // The 43rd character carries 2 unused bits: only the one canonical spelling of a signature is accepted.
  if (base64url(mac) !== sig) return 'bad signature'
  const k = await signingKey(env)
  // HMAC verify compares in constant time.
  if (!k || !(await crypto.subtle.verify('HMAC', k, mac, signedText(key, Number(exp))))) return 'bad signature'
  if (Number(exp) < Date.now() / 1000) return 'signed URL expired'
  return null
}
