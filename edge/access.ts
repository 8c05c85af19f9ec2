/**
 * What a shared link may reach: the one rule every lake API route goes through (lake-api.ts mounts it after
 * auth.ts's `requireToken`). The owner reaches everything. A link reaches only, for its own site:
 *   GET /api/files, GET /api/aggregates   listings (never with `signed=1`: a signed URL would outlive the
 *                                        link's revocation or expiry)
 *   GET|HEAD /data/<key>                 files whose key is under `<table>/site=<its site>/`
 * Anything else, present or future (link management, site settings, the local cron), is refused: the rule
 * is a list of what is allowed, so a new route is closed to links until added here.
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { Access, AuthEnv } from './auth.ts'

const LISTINGS = new Set(['/api/files', '/api/aggregates'])

/**
 * The site a lake key belongs to (`events/site=demo/...`, `aggregates/site=demo/...`), or null for a key
 * outside every site's tables.
 * @example siteOfKey('rollups/site=demo/date=2026-01-10/x.parquet') // 'demo'
 */
export function siteOfKey(key: string): string | null {
  return /^(?:events|dropped|rollups|aggregates)\/site=([^/]+)\//.exec(key)?.[1] ?? null
}

/** Why `access` may not make this request (a 403's reason), or null when it may. `key`: the /data/ file's, decoded. */
export function linkRefusal(access: Access | undefined, c: Context, key: string | null): string | null {
  if (!access) return 'not signed in' // fails closed should a route ever run without requireToken
  if (access.kind === 'owner') return null
  const { site } = access.link
  const method = c.req.method
  if (method === 'GET' && LISTINGS.has(c.req.path)) {
    const asked = c.req.queries('site') ?? []
    if (!asked.length || asked.some((s) => s !== site)) return `this link shows site ${site} only`
    if (c.req.query('signed') !== undefined) return 'a shared link cannot issue signed URLs'
    return null
  }
  if ((method === 'GET' || method === 'HEAD') && c.req.path.startsWith('/data/')) {
    return key !== null && siteOfKey(key) === site ? null : `this link shows site ${site} only`
  }
  return 'a shared link only reads its own site'
}

/** Refuses with 403 what a shared link may not do on /api/*; /data/ checks its key itself (lake-api.ts). */
export const linkScope = (): MiddlewareHandler<AuthEnv> => async (c, next) => {
  const refused = linkRefusal(c.get('access'), c, null)
  if (refused) return c.json({ error: refused }, 403)
  await next()
}
