/**
 * The owner's API of sites and their shared links (behind lake-api.ts's `/api/*` auth; access.ts closes
 * every route here to shared links, and each handler checks again that the caller is the owner):
 *   GET    /api/sites                        every configured site: id, time zone, whether it has events yet
 *   GET    /api/sites/:site/links            the site's shared links, each with its token and dashboard URL
 *   POST   /api/sites/:site/links            a new link: JSON { expires?: ISO 8601 | epoch ms, sql?: boolean, label?: string }
 *   DELETE /api/sites/:site/links/:id        revokes a link at once
 */
import { Hono, type Context } from 'hono'
import type { AuthEnv } from './auth.ts'
import { linkToken, MAX_LINKS_PER_SITE, newLinkId, readLinks, updateLinks, type StoredLink } from './links.ts'
import { hasEvents, sitesOf, zoneOf } from './sites.ts'

export const sitesApi = new Hono<AuthEnv>()

/** Link management and settings are the owner's: a link is refused even if a route slipped past access.ts. */
sitesApi.use('/api/sites', ownerOnly)
sitesApi.use('/api/sites/*', ownerOnly)
async function ownerOnly(c: Context<AuthEnv>, next: () => Promise<void>) {
  if (c.get('access')?.kind !== 'owner') return c.json({ error: 'a shared link only reads its own site' }, 403)
  await next()
}

sitesApi.get('/api/sites', async (c) => {
  const ids = [...sitesOf(c.env).keys()].sort()
  const sites = await Promise.all(ids.map(async (id) => ({ id, tz: zoneOf(c.env, id), hasEvents: await hasEvents(c.env.LAKE, id) })))
  c.header('Cache-Control', 'no-store')
  return c.json({ sites })
})

/** The configured site of the path, or the 404 that says it is not one. */
function siteParam(c: Context<AuthEnv>): string | Response {
  const site = c.req.param('site') ?? ''
  if (!sitesOf(c.env).has(site)) return c.json({ error: `unknown site: ${site} is not configured (SITES)` }, 404)
  return site
}

const withToken = async (c: Context<AuthEnv>, l: StoredLink) => {
  const token = await linkToken(c.env, l)
  // The token rides in the fragment: browsers never send it to the server, so it stays out of access logs.
  return { ...l, token, url: `/dashboard/#link=${token}` }
}

sitesApi.get('/api/sites/:site/links', async (c) => {
  const site = siteParam(c)
  if (site instanceof Response) return site
  const { links } = await readLinks(c.env.LAKE, site)
  c.header('Cache-Control', 'no-store')
  return c.json({ links: await Promise.all(links.map((l) => withToken(c, l))) })
})

sitesApi.post('/api/sites/:site/links', async (c) => {
  const site = siteParam(c)
  if (site instanceof Response) return site
  let body: { expires?: unknown; sql?: unknown; label?: unknown }
  try {
    body = (await c.req.json()) ?? {}
  } catch {
    return c.json({ error: 'the body must be JSON: { expires?, sql?, label? }' }, 400)
  }
  if (typeof body !== 'object' || Array.isArray(body)) return c.json({ error: 'the body must be a JSON object' }, 400)
  let exp: number | undefined
  if (body.expires !== undefined && body.expires !== null) {
    const t = typeof body.expires === 'number' ? body.expires : typeof body.expires === 'string' ? Date.parse(body.expires) : Number.NaN
    if (!Number.isFinite(t)) return c.json({ error: 'expires must be an ISO 8601 time or epoch milliseconds' }, 400)
    if (t <= Date.now()) return c.json({ error: 'expires is in the past' }, 400)
    // Whole seconds, rounded up: a link never expires before the time asked.
    exp = Math.ceil(t / 1000)
  }
  if (body.sql !== undefined && typeof body.sql !== 'boolean') return c.json({ error: 'sql must be true or false' }, 400)
  if (body.label !== undefined && (typeof body.label !== 'string' || body.label.length > 100))
    return c.json({ error: 'label must be a string of at most 100 characters' }, 400)
  const link: StoredLink = { id: newLinkId(), site, exp, sql: body.sql === true || undefined, created: new Date().toISOString() }
  if (body.label) link.label = body.label as string
  const added = await updateLinks(c.env.LAKE, site, (links) => {
    if (links.length >= MAX_LINKS_PER_SITE) return false
    links.push(link)
    return true
  })
  if (!added) return c.json({ error: `a site has at most ${MAX_LINKS_PER_SITE} links: revoke one first` }, 409)
  return c.json({ link: await withToken(c, link) }, 201)
})

sitesApi.delete('/api/sites/:site/links/:id', async (c) => {
  const site = siteParam(c)
  if (site instanceof Response) return site
  const id = c.req.param('id')
  const removed = await updateLinks(c.env.LAKE, site, (links) => {
    const i = links.findIndex((l) => l.id === id)
    if (i >= 0) links.splice(i, 1)
    return i >= 0
  })
  if (!removed) return c.json({ error: `no link ${id} for site ${site}` }, 404)
  return c.json({ revoked: id })
})
