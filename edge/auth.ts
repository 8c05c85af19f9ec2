import type { MiddlewareHandler } from 'hono'
import type { Env } from './env.ts'

/**
 * Bearer-token auth of the dashboard API (`Authorization: Bearer <DASHBOARD_TOKEN>`).
 * The comparison is constant-time so the token cannot be guessed byte by byte from response times.
 */
export const requireToken = (): MiddlewareHandler<{ Bindings: Env }> => async (c, next) => {
  const expected = c.env.DASHBOARD_TOKEN
  if (!expected) return c.json({ error: 'DASHBOARD_TOKEN is not configured on this worker' }, 503)
  const given = c.req.header('Authorization')?.match(/^Bearer (.+)$/)?.[1]
  if (!given) {
    c.header('WWW-Authenticate', 'Bearer')
    return c.json({ error: 'missing bearer token' }, 401)
  }
  if (!(await sameSecret(given, expected))) return c.json({ error: 'wrong token' }, 403)
  await next()
}

/** Constant-time comparison of two secrets. */
export async function sameSecret(a: string, b: string): Promise<boolean> {
  // Hash both first: timingSafeEqual needs equal lengths, and the hashes leak nothing about the length.
  const enc = new TextEncoder()
  const [ha, hb] = await Promise.all([crypto.subtle.digest('SHA-256', enc.encode(a)), crypto.subtle.digest('SHA-256', enc.encode(b))])
  return crypto.subtle.timingSafeEqual(ha, hb)
}
