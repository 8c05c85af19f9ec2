/** The worker's derived HMAC keys (signed URLs, shared links) and the base64url they are spelled in. */
import type { Env } from './env.ts'

/**
 * An HMAC key for one purpose (`label`), derived from `SIGNING_KEY`, else `DASHBOARD_TOKEN` (so rotating
 * the token voids whatever was signed with it): HMAC-SHA-256(secret, label). Each purpose has its own
 * label, so a signature made for one (a signed URL) is never valid for another (a shared link).
 */
export async function derivedKey(env: Env, label: string): Promise<CryptoKey | null> {
  const secret = env.SIGNING_KEY || env.DASHBOARD_TOKEN
  if (!secret) return null
  const enc = new TextEncoder()
  const hmac = { name: 'HMAC', hash: 'SHA-256' }
  const root = await crypto.subtle.importKey('raw', enc.encode(secret), hmac, false, ['sign'])
  const derived = await crypto.subtle.sign('HMAC', root, enc.encode(label))
  return crypto.subtle.importKey('raw', derived, hmac, false, ['sign', 'verify'])
}

export const base64url = (b: Uint8Array) =>
  btoa(String.fromCharCode(...b))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
export const fromBase64url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (ch) => ch.charCodeAt(0))
