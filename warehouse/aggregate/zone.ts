/**
 * Site time zones: a site's days, weeks and months follow its IANA zone (default UTC), DST days of 23 and 25
 * hours and offsets of 30 and 45 minutes included. Offsets come from the platform's own time zone data
 * (Intl), the same in the Worker, Node and the browser.
 */
import { DAY, MINUTE } from '../time.ts'

const formats = new Map<string, Intl.DateTimeFormat>()

/** Whether `tz` names a time zone this platform knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/** Minutes the zone is ahead of UTC at instant `ms` (Asia/Kathmandu: 345). */
export function offsetMinutes(ms: number, tz: string): number {
  if (tz === 'UTC') return 0
  let f = formats.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    })
    formats.set(tz, f)
  }
  const p: Record<string, number> = {}
  for (const { type, value } of f.formatToParts(ms)) if (type !== 'literal') p[type] = Number(value)
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!)
  return Math.round((local - Math.floor(ms / MINUTE) * MINUTE) / MINUTE)
}

/** The local date (YYYY-MM-DD) of instant `ms` in zone `tz`. */
export function localDate(ms: number, tz: string): string {
  return new Date(ms + offsetMinutes(ms, tz) * MINUTE).toISOString().slice(0, 10)
}

/** The UTC instant (epoch ms) of local midnight starting `date` (YYYY-MM-DD) in zone `tz`. */
export function localMidnight(date: string, tz: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`)
  // Two passes: the offset at the guess, then at the instant it gives (right across a DST change).
  let t = wall - offsetMinutes(wall, tz) * MINUTE
  t = wall - offsetMinutes(t, tz) * MINUTE
  return t
}

/** A local day as a UTC range (inclusive, ms): 23, 24 or 25 hours. */
export function localDay(date: string, tz: string): { from: number; to: number } {
  return { from: localMidnight(date, tz), to: localMidnight(addDays(date, 1), tz) - 1 }
}

/** `date` plus `n` days (YYYY-MM-DD). */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10)
}

/**
 * The zone's offsets over a range, for turning its instants into local wall-clock time: `[from, offset ms]`
 * pairs, the first at the range's start, then one at each change inside it (a DST change), found to the
 * minute. UTC, or a zone without a change in the range, gives one pair.
 */
export function offsetsOver(r: { from: number; to: number }, tz: string): [number, number][] {
  const at = (t: number) => offsetMinutes(t, tz) * MINUTE
  const out: [number, number][] = [[r.from, at(r.from)]]
  if (tz === 'UTC') return out
  // Offsets change at most a few times a year, never twice within 6 hours: look every 6 hours, then narrow.
  const STEP = 6 * 60 * MINUTE
  for (let t = r.from; t < r.to; t += STEP) {
    const next = Math.min(t + STEP, r.to)
    if (at(next) === out[out.length - 1]![1]) continue
    let lo = t
    let hi = next // at(lo) is the current offset, at(hi) the new one
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE
      if (at(mid) === out[out.length - 1]![1]) lo = mid
      else hi = mid
    }
    // Changes happen on whole minutes: the one in (lo, hi], a minute apart at most.
    out.push([Math.ceil((lo + 1) / MINUTE) * MINUTE, at(hi)])
  }
  return out
}
