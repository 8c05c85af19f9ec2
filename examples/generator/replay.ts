/**
 * Replay: a CSV of recorded events sent through `POST /e`, one request per row, with the original gaps
 * (`keepTiming`, each clamped to 0-10 s) or a fixed delay. Columns (a header row names them; only
 * `timestamp`, or the reference producer's `original_timestamp` in epoch seconds, is required):
 *
 *   timestamp  ISO 8601 or epoch ms        ip        the visitor's IP (CF-Connecting-IP, or `ip` with a key)
 *   userAgent  the visitor's user agent    type      pageview (default) | event | identify
 *   name       event name (type event)     url       page URL (default: the shop's product or home page)
 *   referrer   referring URL               productId, category, revenue, currency   commerce properties
 *   userId     the site's user id
 *
 * Without an API key the events are sent as a browser would, timed now. With the site's key (`key`) they
 * are server-side events that keep their recorded timestamp, IP and user agent (up to 400 days old).
 */
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import type { WireEvent } from '../../warehouse/wire.ts'
import { parseCsv } from './csv.ts'
import { postBatch, Tally } from './post.ts'
import { Progress } from './progress.ts'

export const MAX_GAP_MS = 10_000

export interface ReplayOptions {
  /** A CSV file, or its text in `csv`. */
  file?: string
  csv?: string
  url: string
  site?: string
  base?: string
  keepTiming?: boolean
  /** The fixed delay between rows when not keeping the timing (ms). */
  delayMs?: number
  key?: string
  quiet?: boolean
}

export interface ReplayResult {
  rows: number
  sent: number
  accepted: number
  rejected: number
  failed: number
  problems: string[]
  /** Prefix of this run's event ids (`<run>-0000`, `<run>-0001`, ... in row order). */
  run: string
  /** When each row was sent (epoch ms). */
  sentTimes: number[]
  seconds: number
}

/** The wait before each row: the recorded gap clamped to 0-10 s, or the fixed delay (none before the first). */
export function delays(times: number[], keepTiming: boolean, delayMs: number): number[] {
  return times.map((t, i) => (i === 0 ? 0 : keepTiming ? Math.min(MAX_GAP_MS, Math.max(0, t - times[i - 1]!)) : delayMs))
}

export async function replay(opt: ReplayOptions): Promise<ReplayResult> {
  const { url, site = 'demo', keepTiming = false, delayMs = 200, key, quiet } = opt
  const base = opt.base ?? `${url}/demo/`
  const rows = parseCsv(opt.csv ?? (await readFile(opt.file!, 'utf8')))
  const times = rows.map((r, i) => rowTime(r, i))
  const waits = delays(times, keepTiming, delayMs)
  const sender = { url, site, origin: new URL(base).origin, key }
  const run = `rp${Date.now().toString(36)}`
  const tally = new Tally()
  const progress = new Progress('replay', rows.length, quiet)
  const sentTimes: number[] = []

  for (const [i, r] of rows.entries()) {
    if (waits[i]) await sleep(waits[i])
    const now = Date.now()
    const event = toEvent(r, `${run}-${i.toString(36).padStart(4, '0')}`, key ? times[i]! : now, base)
    if (key) Object.assign(event, r.ip ? { ip: r.ip } : {}, r.userAgent ? { ua: r.userAgent } : {})
    sentTimes.push(now)
    tally.add(1, await postBatch(sender, [event], key ? {} : { ip: r.ip || undefined, userAgent: r.userAgent || undefined }, now))
    progress.update(i + 1, `accepted ${tally.accepted} rejected ${tally.rejected}`)
  }

  const seconds = progress.elapsed()
  progress.done(
    `replay: ${rows.length} rows (${keepTiming ? 'recorded timing' : `${delayMs} ms apart`}), accepted ${tally.accepted}, ` +
      `rejected ${tally.rejected}, failed requests ${tally.failed}, ${seconds.toFixed(1)} s` +
      (tally.problems.length ? `\n  problems: ${tally.problems.join(' | ')}` : ''),
  )
  return {
    run,
    rows: rows.length,
    sent: tally.sent,
    accepted: tally.accepted,
    rejected: tally.rejected,
    failed: tally.failed,
    problems: tally.problems,
    sentTimes,
    seconds,
  }
}

/**
 * A row's time (epoch ms): `timestamp` (ISO 8601 or epoch ms) or, as the reference producer writes it,
 * `original_timestamp` in epoch seconds (fractions kept to the millisecond).
 */
export function rowTime(r: Record<string, string>, i = 0): number {
  if (!r.timestamp && r.original_timestamp) {
    const s = Number(r.original_timestamp)
    if (!Number.isFinite(s)) throw new Error(`row ${i + 2}: original_timestamp "${r.original_timestamp}" is not epoch seconds`)
    return Math.round(s * 1000)
  }
  const t = /^\d+$/.test(r.timestamp ?? '') ? Number(r.timestamp) : Date.parse(r.timestamp ?? '')
  if (!Number.isFinite(t)) throw new Error(`row ${i + 2}: timestamp "${r.timestamp}" is neither ISO 8601 nor epoch ms`)
  return t
}

function toEvent(r: Record<string, string>, id: string, ts: number, base: string): WireEvent {
  const type = (r.type || (r.name ? 'event' : 'pageview')) as WireEvent['type']
  const props: Record<string, string | number> = {}
  if (r.productId) props.product_id = r.productId
  if (r.category) props.category = r.category
  if (r.revenue) props.revenue = Number(r.revenue)
  if (r.currency) props.currency = r.currency
  const url = r.url || (r.productId ? `${base}product?id=${encodeURIComponent(r.productId)}` : base)
  return {
    id,
    type,
    ts,
    url,
    ...(r.name ? { name: r.name } : {}),
    ...(r.referrer ? { referrer: r.referrer } : {}),
    ...(r.userId ? { userId: r.userId } : {}),
    ...(Object.keys(props).length ? { props } : {}),
  }
}
