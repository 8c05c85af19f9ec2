/**
 * A shared link opened in this tab: `#link=<token>` (edge/links.ts). The token rides in the fragment, which
 * browsers never send to the server, so it stays out of its logs; it stays in the address bar so the page
 * can be reloaded and bookmarked. The claims are read here only to shape the page (which site, whether the
 * SQL console shows): the worker verifies the token on every request and is the one that refuses.
 */
import type { State } from './state.ts'

export interface SharedLink {
  token: string
  site: string
  sql: boolean
}

/** The shared link of this page's address, or null (the owner's dashboard). */
export function sharedLink(): SharedLink | null {
  const token = /(?:^#|&)link=([A-Za-z0-9_.-]+)/.exec(location.hash)?.[1]
  if (!token) return null
  try {
    const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { site?: unknown; sql?: unknown }
    if (typeof claims.site !== 'string') return null
    return { token, site: claims.site, sql: claims.sql === true }
  } catch {
    // Not a readable token: sent as is, the worker answers why it does not open.
    return { token, site: '', sql: false }
  }
}

/** A state as a link may show it: its own site only, the SQL console only if the link allows it. */
export function withinLink(s: State, link: SharedLink | null): State {
  if (!link) return s
  return { ...s, site: link.site, view: s.view === 'sql' && !link.sql ? 'overview' : s.view }
}
