/** The owner's sites and shared links (edge/sites-api.ts), and the hook that watches an empty site fill. */
import { useEffect, useRef, useState } from 'preact/hooks'
import { authed } from './api.ts'

export interface SiteInfo {
  id: string
  tz: string
  /** Whether the lake holds an event of the site yet (else the dashboard shows how to start). */
  hasEvents: boolean
}

/** A shared link as the owner's listing gives it (`url` is the dashboard path with the token in its fragment). */
export interface ShareLink {
  id: string
  site: string
  exp?: number
  sql?: boolean
  label?: string
  created: string
  token: string
  url: string
}

export async function listSites(): Promise<SiteInfo[]> {
  return ((await (await authed('/api/sites')).json()) as { sites: SiteInfo[] }).sites
}

export async function listLinks(site: string): Promise<ShareLink[]> {
  return ((await (await authed(`/api/sites/${encodeURIComponent(site)}/links`)).json()) as { links: ShareLink[] }).links
}

export async function createLink(site: string, opts: { expires?: string; sql?: boolean; label?: string }): Promise<ShareLink> {
  const res = await authed(`/api/sites/${encodeURIComponent(site)}/links`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(opts),
  })
  return ((await res.json()) as { link: ShareLink }).link
}

export async function revokeLink(site: string, id: string): Promise<void> {
  await authed(`/api/sites/${encodeURIComponent(site)}/links/${encodeURIComponent(id)}`, { method: 'DELETE' })
}

/** How often an empty site is asked again for its first event. */
export const FIRST_EVENT_POLL_MS = 3000

/**
 * The configured sites (null until listed, or for a shared link, which may not list them). While `site`
 * has no event yet it asks again every few seconds, and calls `onFirstEvent` when one has arrived.
 */
export function useSites(enabled: boolean, site: string, onFirstEvent: () => void): { sites: SiteInfo[] | null; checkedAt: number } {
  const [sites, setSites] = useState<SiteInfo[] | null>(null)
  const [checkedAt, setCheckedAt] = useState(0)
  const first = useRef(onFirstEvent)
  first.current = onFirstEvent
  const known = useRef<SiteInfo[] | null>(null)
  const empty = sites?.find((s) => s.id === site)?.hasEvents === false
  useEffect(() => {
    if (!enabled) return
    let live = true
    const check = async () => {
      const next = await listSites().catch(() => null)
      if (!live || !next) return
      const was = known.current?.find((s) => s.id === site)?.hasEvents === false
      known.current = next
      setSites(next)
      setCheckedAt(Date.now())
      if (was && next.find((s) => s.id === site)?.hasEvents) first.current()
    }
    if (!sites || empty) void check()
    const t = empty ? setInterval(check, FIRST_EVENT_POLL_MS) : undefined
    return () => ((live = false), clearInterval(t))
  }, [enabled, site, empty])
  return { sites, checkedAt }
}
