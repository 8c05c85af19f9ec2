import type { MiddlewareHandler } from 'hono'
import type { Env } from './env.ts'
import { isLinkToken, verifyLink, type LinkClaims } from './links.ts'

/** Who is calling the API: the owner (the dashboard token) or the holder of a shared link of one site. */
export type Access = { kind: 'owner' } | { kind: 'link'; link: LinkClaims }
/** The context variables of authenticated routes. */
export type AuthEnv = { Bindings: Env; Variables: { access: Access } }

/**
 * Bearer auth of the dashboard API: `Authorization: Bearer <DASHBOARD_TOKEN>` (the owner) or a shared
 * link's token (links.ts; what a link may reach is access.ts's rule). Sets `access`. The comparison with the
 * owner's token is constant-time so it cannot be guessed byte by byte from response times.
 */
export const requireToken = (): MiddlewareHandler<AuthEnv> => async (c, next) => {
  const expected = c.env.DASHBOARD_TOKEN
  if (!expected) return c.json({ error: 'DASHBOARD_TOKEN is not configured on this worker' }, 503)
  const given = c.req.header('Authorization')?.match(/^Bearer (.+)$/)?.[1]
  if (!given) {
    c.header('WWW-Authenticate', 'Bearer')
    return c.json({ error: 'missing bearer token' }, 401)
  }
  // The owner's token first: one that happens to look like a link is still the owner's.
  if (await sameSecret(given, expected)) {
    c.set('access', { kind: 'owner' })
    return next()
  }
  if (!isLinkToken(given)) return c.json({ error: 'wrong token' }, 403)
  const link = await verifyLink(c.env, c.env.LAKE, given)
  if ('error' in link) return c.json({ error: link.error }, 403)
  c.set('access', { kind: 'link', link })
  await next()
}

/** Constant-time comparison of two secrets. */
export async function sameSecret(a: string, b: string): Promise<boolean> {
  // Hash both first: timingSafeEqual needs equal lengths, and the hashes leak nothing about the length.
  const enc = new TextEncoder()
  const [ha, hb] = await Promise.all([crypto.subtle.digest('SHA-256', enc.encode(a)), crypto.subtle.digest('SHA-256', enc.encode(b))])
  return crypto.subtle.timingSafeEqual(ha, hb)
}
