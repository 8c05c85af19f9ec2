/**
 * The dashboard's one data hook: what a state needs, loaded into the lake (db.ts), new files only. For each
 * state it lists the site's aggregates (the zone, the aggregated days: one request, however long the
 * range), splits the range at them where the view answers from aggregates, loads the aggregate files and
 * the raw events of the rest (a large raw download only when asked), then hands the loaded lake to the
 * views. `listing` is published as soon as the aggregates are listed, so the first chart (early.ts) can be
 * drawn before DuckDB has started.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { localDay } from '../../warehouse/aggregate/zone.ts'
import { slicedBy, splitRange, type Split } from '../../warehouse/sql/aggregates.ts'
import type { Range } from '../../warehouse/sql/query.ts'
import { SESSION_GAP_MS } from '../../warehouse/session-gap.ts'
import { HOUR } from '../../warehouse/time.ts'
import { AuthError, listAggregates, listFiles, type AggregateDay } from './api.ts'
import { Lake, type Projection } from './db.ts'
import { loadAggregates, loadFiles, type Progress } from './loader.ts'
import { overviewColumnsSuffice } from './panels.ts'
import { previousOf, rangeOf, type State } from './state.ts'

// Realtime mode polls for new part files every 15 s and loads only files not seen before.
const REFRESH_MS = 15_000
const REALTIME_WINDOW_MS = 8 * HOUR
/** Raw events above this many bytes are downloaded only when asked (a view that needs them over a long range). */
const LARGE_BYTES = 100 * 1048576

/** A local day's aggregate file with the day's UTC range (`day`: its midnight). */
export type ListedDay = AggregateDay & Range & { day: number }

/** What the aggregate listing says of a state: the zone, the range, and the range split at aggregated days. */
export interface Listing {
  site: string
  /** When it was listed: relative ranges end at its minute. */
  at: number
  tz: string
  first?: string
  range: Range
  previous: Range | null
  /** The range split at its aggregated days, when the view answers from them (else null: all raw). */
  split: Split | null
  previousSplit: Split | null
  days: readonly ListedDay[]
}

export interface LakeData {
  /** The loaded lake, once a load has finished (null before the first). */
  lake: Lake | null
  /** Counts finished loads: panels query again when it changes. */
  version: number
  /** The time of the last finished load (relative ranges end at its minute). */
  now: number
  progress: Progress | null
  /** What the last load brought. */
  last: { files: number; bytes: number; fromCache: number; fromNetwork: number } | null
  /** The listing of the last finished load. */
  loaded: Listing | null
  /**
   * Whether the loaded data answers the state (its last finished load was started for it): a view opened
   * by its tab, or a new range, waits for its own load instead of querying the last one's tables (which
   * may lack its columns).
   */
  current: boolean
  /** The listing of the load under way (the first chart draws from it). */
  listing: Listing | null
  /** Raw events too large to download unasked: their size, until `allowLarge()`. */
  large: { bytes: number; files: number } | null
  allowLarge: () => void
  error: string | null
  /** Loads again (new files only). */
  refresh: () => void
}

/**
 * Loads what `state` needs. `aggregated`: the view answers the range's whole aggregated days from the
 * aggregates (the overview without bots, unfiltered or filtered by one slice: `aggregatesAnswer`); under a
 * filter, from the filter dimension's slices, on the days that have them. `onAuthError` is told when the
 * token was refused.
 */
export function useLake(state: State, authed: boolean, aggregated: boolean, onAuthError: (message: string) => void): LakeData {
  const [error, setError] = useState<string | null>(null)
  const [lake, setLake] = useState<Lake | null>(null)
  const [version, setVersion] = useState(0)
  const [now, setNow] = useState(() => Date.now())
  const [progress, setProgress] = useState<Progress | null>(null)
  const [last, setLast] = useState<LakeData['last']>(null)
  const [loaded, setLoaded] = useState<Listing | null>(null)
  const [loadedKey, setLoadedKey] = useState('')
  const [listing, setListing] = useState<Listing | null>(null)
  const [large, setLarge] = useState<LakeData['large']>(null)
  const [allowed, setAllowed] = useState('')
  const [tick, setTick] = useState(0)
  const opening = useRef<Lake | null>(null)

  const realtime = state.range === 'realtime' || state.view === 'realtime'
  useEffect(() => {
    if (!realtime || !authed) return
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS)
    return () => clearInterval(t)
  }, [realtime, authed])

  // The overview loads only the columns it reads; any other view (or a filter on another column) all of them.
  const projection: Projection = state.view === 'overview' && overviewColumnsSuffice(state.filters) ? 'overview' : 'all'
  // The slices a filter reads (one dimension's files hold every value's: another value loads nothing new).
  const sliced = aggregated ? (slicedBy(state.filters)?.dim ?? null) : null
  const rangeKey = JSON.stringify([
    state.site,
    state.range,
    state.from,
    state.to,
    state.compare,
    state.view === 'realtime',
    state.view === 'filtered',
    projection,
    aggregated,
    sliced,
  ])
  const loadKey = JSON.stringify([rangeKey, tick, allowed === rangeKey])
  useEffect(() => {
    if (!authed) return
    let live = true
    ;(async () => {
      try {
        opening.current ??= Lake.open()
        const db = opening.current
        await db.project(projection)
        const { tz, days: all } = await listAggregates(state.site, { slice: sliced ?? undefined })
        // Under a filter, the days with the filter's slice (days built before slices existed are read raw).
        const listed = sliced ? all.filter((d) => d.slice) : all
        const t = Date.now()
        const r = rangeOf(state, t, tz, all[0]?.date)
        const previous = state.compare ? previousOf(r) : null
        const days = listed.map((d) => {
          const local = localDay(d.date, tz)
          return { ...d, ...local, day: local.from }
        })
        // Without an aggregated day in the range, everything is read raw, as before the aggregate tier.
        const cut = aggregated ? splitRange(r, days) : null
        const split = cut?.agg ? cut : null
        const previousSplit = split && previous ? splitRange(previous, days) : null
        const ls: Listing = { site: state.site, at: t, tz, first: all[0]?.date, range: r, previous, split, previousSplit, days }
        if (live) setListing(ls)
        const sum = { files: 0, bytes: 0, fromCache: 0, fromNetwork: 0 }
        const add = (p: Progress) => (
          (sum.files += p.files), (sum.bytes += p.bytes), (sum.fromCache += p.fromCache), (sum.fromNetwork += p.fromNetwork)
        )
        const onProgress = (x: Progress) => live && setProgress(x)
        // The events to read: the raw parts (with the session gap before each, so a session begun before a
        // part is not counted again as a new one), or the whole span.
        let spans: Range[]
        if (split) {
          const aggs = [split.agg, previousSplit?.agg].filter((a): a is Range => !!a)
          const wanted = (d: Range) => aggs.some((a) => d.from >= a.from && d.to <= a.to)
          add(await loadAggregates(db, days, wanted, onProgress, sliced ?? undefined))
          spans = [...split.raw, ...(previousSplit?.raw ?? [])].map((x) => ({ from: x.from - SESSION_GAP_MS, to: x.to }))
        } else {
          const span = { from: previous ? previous.from : r.from, to: r.to }
          if (realtime) span.from = Math.min(span.from, t - REALTIME_WINDOW_MS)
          spans = [span]
        }
        const jobs: ['events' | 'dropped', Range][] = spans.map((x) => ['events', x])
        if (state.view === 'filtered') jobs.push(['dropped', { from: previous ? previous.from : r.from, to: r.to }])
        const lists = await Promise.all(jobs.map(([table, x]) => listFiles(state.site, x.from, x.to, table)))
        const toLoad = lists.map((l) => l.filter((f) => !db.has(f.key)))
        const bytes = toLoad.flat().reduce((n, f) => n + f.bytes, 0)
        if (bytes > LARGE_BYTES && allowed !== rangeKey) {
          if (live) setLarge({ bytes, files: toLoad.flat().length })
          return
        }
        if (live) setLarge(null)
        for (const [i, [table]] of jobs.entries()) add(await loadFiles(db, toLoad[i]!, table, onProgress))
        await db.noteMemory()
        if (!live) return
        setLake(db)
        setLoaded(ls)
        setLoadedKey(rangeKey)
        setLast(sum)
        setNow(t)
        setVersion((v) => v + 1)
        setError(null)
      } catch (e) {
        if (!live) return
        if (e instanceof AuthError) return onAuthError(`Sign-in failed (HTTP ${e.status}): ${e.message}. Enter the dashboard token again.`)
        setError((e as Error).message)
      }
    })()
    return () => void (live = false)
  }, [authed, loadKey])

  return {
    lake,
    version,
    now,
    progress,
    last,
    loaded,
    listing,
    large,
    error,
    current: loadedKey === rangeKey,
    allowLarge: () => setAllowed(rangeKey),
    refresh: () => setTick((n) => n + 1),
  }
}
