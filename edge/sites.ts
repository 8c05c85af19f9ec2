import { isTimeZone } from '../warehouse/aggregate/zone.ts'
import type { Env } from './env.ts'

/** The sites a worker collects for: allowed hostnames, and the API key of server-side events. */
export interface Site {
  hosts: string[]
  key?: string
}

let cache: { raw: string; sites: Map<string, Site> } | undefined

/** Parses SITES and SITE_KEYS once per isolate (and again only if they change). */
export function sitesOf(env: Env): Map<string, Site> {
  const raw = `${env.SITES}\n${env.SITE_KEYS ?? ''}`
  if (cache?.raw === raw) return cache.sites
  const hosts = JSON.parse(env.SITES || '{}') as Record<string, string[]>
  const keys = JSON.parse(env.SITE_KEYS || '{}') as Record<string, string>
  const sites = new Map(Object.entries(hosts).map(([id, h]) => [id, { hosts: h, key: keys[id] }]))
  cache = { raw, sites }
  return sites
}

/** Is the URL's (or origin's) host one of the site's hosts, or a subdomain of one? */
export function hostAllowed(url: string, hosts: string[]): boolean {
  let host: string
  try {
    host = new URL(url).hostname
  } catch {
    return false
  }
  return hosts.some((h) => host === h || host.endsWith(`.${h}`))
}

/**
 * The time zone of a site (TIMEZONES: JSON site id -> IANA zone; default UTC): its days, weeks and months in
 * the aggregates and the dashboard. A zone the platform does not know falls back to UTC.
 */
export function zoneOf(env: Pick<Env, 'TIMEZONES'>, site: string): string {
  let zones: Record<string, string> = {}
  try {
    zones = JSON.parse(env.TIMEZONES || '{}')
  } catch {
    // an unreadable setting is no zone at all
  }
  const tz = zones[site]
  return typeof tz === 'string' && isTimeZone(tz) ? tz : 'UTC'
}

/** The drop ledger's site of events whose site was not known (collect.ts): a real table with no config. */
export const UNKNOWN_SITE = '_unknown'

/** What the two questions below need of the lake: a listing of one key (the worker's `LAKE`). */
interface KeyLister {
  list(options: { prefix: string; limit: number }): Promise<{ objects: readonly unknown[] }>
}

/**
 * Whether a site exists for the lake API: configured in SITES, the drop ledger's `_unknown`, or with files
 * under `<table>/site=<site>/` (a site since removed from SITES; one listing of one key).
 */
export async function knownSite(env: Env, lake: KeyLister, site: string, table: string): Promise<boolean> {
  if (sitesOf(env).has(site) || site === UNKNOWN_SITE) return true
  return (await lake.list({ prefix: `${table}/site=${site}/`, limit: 1 })).objects.length > 0
}

/** Whether the lake holds any event of the site (one listing of one key): the dashboard's onboarding asks. */
export async function hasEvents(lake: KeyLister, site: string): Promise<boolean> {
  return (await lake.list({ prefix: `events/site=${site}/`, limit: 1 })).objects.length > 0
}
