/**
 * The worker's lake API, with the bearer token kept for this tab only (sessionStorage), or the token of the
 * shared link in the address (link.ts), which then stands in for it: a shared view never sends the owner's.
 */
import type { LakeFile } from '../../warehouse/lake.ts'
import type { SliceDim } from '../../warehouse/aggregate/columns.ts'
import { sharedLink } from './link.ts'

const TOKEN_KEY = 'footfall.token'

/** The server refused the token (401/403): the dashboard asks for it again. */
export class AuthError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
  }
}

export type { LakeFile }

/** Takes a token from `#token=...` (as printed by `npm start`) into sessionStorage, off the address bar. */
export function adoptTokenFromHash(): void {
  const m = location.hash.match(/token=([^&]+)/)
  if (!m) return
  setToken(decodeURIComponent(m[1]!))
  history.replaceState(null, '', location.pathname + location.search)
}

export const getToken = () => sessionStorage.getItem(TOKEN_KEY)
export const setToken = (t: string) => sessionStorage.setItem(TOKEN_KEY, t)
export const clearToken = () => sessionStorage.removeItem(TOKEN_KEY)

/** A request to the worker's API with the bearer token; a refusal throws the worker's reason. */
export async function authed(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...(init.headers as Record<string, string>), Authorization: `Bearer ${sharedLink()?.token ?? getToken() ?? ''}` }
  const res = await fetch(url, { ...init, headers })
  if (res.status === 401 || res.status === 403) {
    throw new AuthError((await res.json().catch(() => ({}))).error ?? 'unauthorized', res.status)
  }
  // The worker says why (an unknown site, a bad parameter): shown as it is, not as a bare status.
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error ?? `${url}: HTTP ${res.status}`)
  return res
}

export async function listFiles(
  site: string,
  from: number,
  to: number,
  table: 'events' | 'dropped' = 'events',
  rollups = false,
): Promise<LakeFile[]> {
  const q = new URLSearchParams({ site, from: new Date(from).toISOString(), to: new Date(to).toISOString(), table })
  if (rollups) q.set('rollups', '1')
  const res = await authed(`/api/files?${q}`)
  return ((await res.json()) as { files: LakeFile[] }).files
}

/** One local day's aggregate file (`GET /api/aggregates`, edge/lake-api.ts). */
export interface AggregateDay extends ListedFile {
  date: string
  /** The file's slice of the dimension asked for (`slice`), when it has one (warehouse/aggregate/columns.ts). */
  slice?: ListedFile
  /** A day without events: no slices, none needed (a filter counts nothing on it). */
  empty?: true
}

/** A lake file as a listing gives it: its key, its `/data/` URL and its size. */
export interface ListedFile {
  key: string
  url: string
  bytes: number
}

/**
 * The site's time zone and the aggregate files of its local dates `from`..`to` (YYYY-MM-DD), with each
 * file's slice of `slice` (a filter dimension) where there is one.
 */
export async function listAggregates(
  site: string,
  o: { from?: string; to?: string; slice?: SliceDim } = {},
): Promise<{ tz: string; days: AggregateDay[] }> {
  const q = new URLSearchParams({ site, from: o.from ?? '0000-01-01', to: o.to ?? '9999-12-31', ...(o.slice ? { slice: o.slice } : {}) })
  const res = await authed(`/api/aggregates?${q}`)
  return (await res.json()) as { tz: string; days: AggregateDay[] }
}

/** A lake object by its `/data/` URL, as a stream (loader.ts reads it, counting bytes). */
export async function fetchUrlStream(url: string): Promise<Response> {
  return authed(url)
}
