import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { AuthError, clearToken, getToken, setToken } from './api.ts'
import { Lake, type Projection } from './db.ts'
import { overviewColumnsSuffice } from './panels.ts'
import { clearCache, loadAggregates, loadFiles, type Progress } from './loader.ts'
import { listAggregates, listFiles } from './api.ts'
import { splitRange, type Split } from '../../warehouse/sql/aggregates.ts'
import { localDate, localDay, localMidnight } from '../../warehouse/aggregate/zone.ts'
import { SESSION_GAP_MS } from '../../warehouse/sql/sessions.ts'
import type { Range } from '../../warehouse/sql/query.ts'
import { FilterBar } from './Filters.tsx'
import { Overview, type ViewProps } from './Overview.tsx'
import { rollupChart, RollupOverview, useRollups } from './RollupOverview.tsx'
import type { Dimension } from '../../warehouse/sql/dimensions.ts'
import type { Filter } from '../../warehouse/sql/filters.ts'
import type { Scope } from './queries/filters.ts'
import { parseState, previousOf, rangeOf, RANGE_NAMES, toSearch, VIEWS, type RangeName, type State, type ViewName } from './state.ts'
import { Filtered } from './views/Filtered.tsx'
import { Funnels } from './views/Funnels.tsx'
import { Realtime } from './views/Realtime.tsx'
import { SqlConsole } from './views/SqlConsole.tsx'
import { Streams } from './views/Streams.tsx'
import { Users } from './views/Users.tsx'

// Realtime mode polls for new part files every 15 s and loads only files not seen before.
const REFRESH_MS = 15_000
const REALTIME_WINDOW_MS = 8 * 3_600_000

const RANGE_LABEL: Record<RangeName, string> = {
  realtime: 'Realtime (30 min)', today: 'Today', yesterday: 'Yesterday', '7d': 'Last 7 days', '30d': 'Last 30 days',
  month: 'Month to date', lastmonth: 'Last month', '12mo': 'Last 12 months', ytd: 'Year to date', all: 'All time', custom: 'Custom',
}
/** Ranges short enough for the first chart from per-file rollups (longer ones list too many dates; aggregates answer them). */
const ROLLUP_RANGES = new Set<RangeName>(['today', 'yesterday', '7d', 'custom'])
/** Raw events above this many bytes are downloaded only when asked (a view that needs them over a long range). */
const LARGE_BYTES = 100 * 1048576
const VIEW_LABEL: Record<ViewName, string> = {
  overview: 'Overview', realtime: 'Realtime', streams: 'Streams', funnels: 'Funnels & orders', users: 'Users', filtered: 'Filtered traffic', sql: 'SQL',
}

export function App() {
  const [state, setStateRaw] = useState<State>(() => parseState(location.search))
  const [authed, setAuthed] = useState(!!getToken())
  const [error, setError] = useState<string | null>(null)
  const [lake, setLake] = useState<Lake | null>(null)
  const [version, setVersion] = useState(0)
  const [now, setNow] = useState(() => Date.now())
  const [progress, setProgress] = useState<Progress | null>(null)
  const [last, setLast] = useState<{ files: number; bytes: number; fromCache: number; fromNetwork: number } | null>(null)
  const [tick, setTick] = useState(0)
  /** What the loaded data answers: the site's zone and first day, and the ranges split at its aggregated days. */
  const [loaded, setLoaded] = useState<{ tz: string; first?: string; split: Split | null; previousSplit: Split | null } | null>(null)
  /** Raw events too large to download unasked: their size, until the owner asks for them. */
  const [large, setLarge] = useState<{ bytes: number; files: number } | null>(null)
  const [allowLarge, setAllowLarge] = useState('')
  const opening = useRef<Lake | null>(null)
  const answered = useRef({ version: -1, key: '' })

  const setState = useCallback((next: State) => {
    history.pushState(null, '', location.pathname + toSearch(next))
    setStateRaw(next)
  }, [])
  useEffect(() => {
    const onPop = () => setStateRaw(parseState(location.search))
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])

  const realtime = state.range === 'realtime' || state.view === 'realtime'
  useEffect(() => {
    if (!realtime || !authed) return
    const t = setInterval(() => setTick((n) => n + 1), REFRESH_MS)
    return () => clearInterval(t)
  }, [realtime, authed])

  // Load what the view needs (new files only), then let the panels query.
  // The overview loads only the columns it reads; any other view (or a filter on another column) all of them.
  const projection: Projection = state.view === 'overview' && overviewColumnsSuffice(state.filters) ? 'overview' : 'all'
  // The overview without filters or bots answers from the aggregates of the range's whole days and reads raw
  // events only for the rest (warehouse/sql/aggregates.ts); other views, filters and bots read raw events.
  const aggregated = state.view === 'overview' && !state.filters.length && !state.bots && state.range !== 'realtime'
  const rangeKey = JSON.stringify([state.site, state.range, state.from, state.to, state.compare, state.view === 'realtime', state.view === 'filtered', projection, aggregated])
  const loadKey = JSON.stringify([rangeKey, tick, allowLarge === rangeKey])
  useEffect(() => {
    if (!authed) return
    let live = true
    ;(async () => {
      try {
        opening.current ??= Lake.open()
        const db = opening.current
        await db.project(projection)
        // The site's zone and aggregated days (one request, however long the range).
        const { tz, days } = await listAggregates(state.site)
        const t = Date.now()
        const r = rangeOf(state, t, tz, days[0]?.date)
        const previous = state.compare ? previousOf(r) : null
        const dayRanges = days.map((d) => ({ ...d, ...localDay(d.date, tz) }))
        // Without an aggregated day in the range, everything is read raw, as before the aggregate tier.
        const cut = aggregated ? splitRange(r, dayRanges) : null
        const split = cut?.agg ? cut : null
        const previousSplit = split && previous ? splitRange(previous, dayRanges) : null
        const sum = { files: 0, bytes: 0, fromCache: 0, fromNetwork: 0 }
        const add = (p: Progress) => ((sum.files += p.files), (sum.bytes += p.bytes), (sum.fromCache += p.fromCache), (sum.fromNetwork += p.fromNetwork))
        const progress = (x: Progress) => live && setProgress(x)
        // The events to read: the raw parts (with the session gap before each, so a session begun before a
        // part is not counted again as a new one), or the whole span.
        let spans: Range[]
        if (split) {
          const aggs = [split.agg, previousSplit?.agg].filter((a): a is Range => !!a)
          add(await loadAggregates(db, dayRanges.map((d) => ({ ...d, day: d.from })), (d) => aggs.some((a) => d.from >= a.from && d.to <= a.to), progress))
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
        if (bytes > LARGE_BYTES && allowLarge !== rangeKey) {
          if (live) setLarge({ bytes, files: toLoad.flat().length })
          return
        }
        if (live) setLarge(null)
        for (const [i, [table]] of jobs.entries()) add(await loadFiles(db, toLoad[i]!, table, progress))
        await db.noteMemory()
        if (!live) return
        setLake(db)
        setLoaded({ tz, first: days[0]?.date, split, previousSplit })
        setLast(sum)
        setNow(t)
        setVersion((v) => v + 1)
        setError(null)
      } catch (e) {
        if (!live) return
        if (e instanceof AuthError) {
          clearToken()
          setAuthed(false)
          setError(`Sign-in failed (HTTP ${e.status}): ${e.message}. Enter the dashboard token again.`)
          return
        }
        setError((e as Error).message)
      }
    })()
    return () => void (live = false)
  }, [authed, loadKey])

  // The overview without filters draws its chart from pageview rollups while the events load (RollupOverview.tsx):
  // again when the range changes, not on a refresh or a realtime poll (the events' chart is there already).
  // Ranges with aggregated days draw from them instead (quickly: they are small).
  const rollups = useRollups(authed && state.view === 'overview' && !state.filters.length && !loaded?.split?.agg && ROLLUP_RANGES.has(state.range), state.site, (t) => {
    const r = rangeOf(state, t, loaded?.tz ?? 'UTC', loaded?.first)
    return { range: r, previous: state.compare ? previousOf(r) : null }
  }, JSON.stringify([state.site, state.range, state.from, state.to, state.compare]))

  if (!authed) return <SignIn error={error} onToken={(t) => (setToken(t), setError(null), setAuthed(true))} />

  const range = rangeOf(state, now, loaded?.tz ?? 'UTC', loaded?.first)
  // The split of what was loaded, while it still answers this state (a new range waits for its load).
  const split = aggregated && loaded?.split && sameRange(range, loaded.split) ? loaded.split : undefined
  const tz = loaded?.tz ?? 'UTC'
  const scope: Scope = { range, filters: state.filters, bots: state.bots, materialised: true, split, previousSplit: split ? loaded?.previousSplit : null, tz }
  const setFilters = (filters: Filter[]) => setState({ ...state, filters })
  const props: ViewProps = {
    lake: lake!,
    version,
    scope,
    previous: state.compare ? previousOf(range) : null,
    extra: state.extra,
    setExtra: (k, v) => {
      const extra = { ...state.extra }
      if (v === null || v === '') delete extra[k]
      else extra[k] = v
      setState({ ...state, extra })
    },
    pick: (dim: Dimension, value: string) => {
      if (!state.filters.some((f) => f.dim === dim && f.op === 'is' && f.value === value)) setFilters([...state.filters, { dim, op: 'is', value }])
    },
  }
  const loading = progress && !progress.done
  const early = rollupChart(rollups, range, props.previous, state.bots, tz)
  // Which state the data on screen answers: a load bumps `version` only for the state it was started for (a
  // stale one is dropped), so the first render with a new version names it. A view opened by its tab, or a
  // new range, waits for its own load instead of querying the last one's tables (which may lack its columns).
  if (answered.current.version !== version) answered.current = { version, key: rangeKey }
  const current = answered.current.key === rangeKey
  return (
    <main data-now={now} data-version={version}>
      <header>
        <h1>Footfall · {state.site}</h1>
        {/* Realtime is always the last 30 minutes: no range to choose. */}
        {state.view !== 'realtime' && <label>
          Range{' '}
          <select data-testid="range" value={state.range} onChange={(e) => setState({ ...state, range: e.currentTarget.value as RangeName })}>
            {RANGE_NAMES.map((r) => <option key={r} value={r}>{RANGE_LABEL[r]}</option>)}
          </select>
        </label>}
        {state.range === 'custom' && state.view !== 'realtime' && (
          <>
            {/* Whole local days of the site's zone. */}
            <label>From <input type="date" value={localDate(range.from, tz)} onChange={(e) => setState({ ...state, from: localMidnight(e.currentTarget.value, tz) })} /></label>
            <label>To <input type="date" value={localDate(range.to, tz)} onChange={(e) => setState({ ...state, to: localDay(e.currentTarget.value, tz).to })} /></label>
          </>
        )}
        <label><input type="checkbox" data-testid="compare" checked={state.compare} onChange={(e) => setState({ ...state, compare: e.currentTarget.checked })} /> Compare with previous period</label>
        <label><input type="checkbox" data-testid="bots" checked={state.bots} onChange={(e) => setState({ ...state, bots: e.currentTarget.checked })} /> Include bots</label>
        <button type="button" onClick={() => setTick((n) => n + 1)}>Refresh</button>
        <button type="button" onClick={() => (clearToken(), clearCache(), setAuthed(false))}>Sign out</button>
      </header>
      <nav aria-label="Views">
        {VIEWS.map((v) => (
          <a key={v} href={toSearch({ ...state, view: v })} aria-current={state.view === v ? 'page' : undefined} data-testid={`nav-${v}`}
            onClick={(e) => (e.preventDefault(), setState({ ...state, view: v }))}>{VIEW_LABEL[v]}</a>
        ))}
      </nav>
      <div class="loadbar" role="status" aria-live="polite">
        {progress && (
          <div data-testid="progress" data-done={String(progress.done)} data-files={progress.files} data-total-files={progress.totalFiles}
            data-bytes={progress.bytes} data-total-bytes={progress.totalBytes} hidden={!loading}>
            <progress value={progress.bytes} max={Math.max(1, progress.totalBytes)} aria-label="Download progress" />{' '}
            {progress.files} of {progress.totalFiles} files · {kb(progress.bytes)} of {kb(progress.totalBytes)}
          </div>
        )}
        {!loading && last && (
          <span class="status" data-testid="load-stats" data-files={last.files} data-network={last.fromNetwork} data-cache={last.fromCache}
            data-timings={lake ? JSON.stringify(lake.timings) : undefined}>
            {lake ? `Loaded ${last.files} new file${last.files === 1 ? '' : 's'} (${kb(last.bytes)}; ${last.fromNetwork} downloaded, ${last.fromCache} from cache) · ${new Date(now).toLocaleTimeString()}` : ''}
          </span>
        )}
        {!lake && !error && <span class="status">Starting DuckDB…</span>}
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {large && (
        <p class="notice" role="status" data-testid="large-download">
          This view reads raw events: {large.files} files, {kb(large.bytes)} to download.{' '}
          <button type="button" onClick={() => setAllowLarge(rangeKey)}>Download them</button>
        </p>
      )}
      {['overview', 'realtime', 'streams', 'funnels', 'users'].includes(state.view) && <FilterBar filters={state.filters} onChange={setFilters} />}
      {(!lake || !current) && early && state.view === 'overview' && (
        <div class="view" data-testid="view-overview-early">
          <RollupOverview early={early} range={range} extra={state.extra} setExtra={props.setExtra} />
        </div>
      )}
      {lake && !current && !(early && state.view === 'overview') && (
        <div class="view" data-testid={`view-${state.view}`} data-state="loading" aria-busy={!large}>
          <p class="empty" role="status">{large ? '' : `Loading ${VIEW_LABEL[state.view].toLowerCase()}…`}</p>
        </div>
      )}
      {lake && current && (
        <div class="view" data-testid={`view-${state.view}`}>
          {state.view === 'overview' && <Overview {...props} early={early} />}
          {state.view === 'realtime' && <Realtime {...props} now={now} />}
          {state.view === 'streams' && <Streams {...props} />}
          {state.view === 'funnels' && <Funnels {...props} />}
          {state.view === 'users' && <Users {...props} />}
          {state.view === 'filtered' && <Filtered {...props} />}
          {state.view === 'sql' && <SqlConsole {...props} />}
        </div>
      )}
    </main>
  )
}

/** Whether a split covers exactly `range` (its parts from the range's start to its end). */
function sameRange(range: Range, split: Split): boolean {
  const parts = [...(split.agg ? [split.agg] : []), ...split.raw]
  return Math.min(...parts.map((p) => p.from)) === range.from && Math.max(...parts.map((p) => p.to)) === range.to
}
const kb = (b: number) => (b < 1e6 ? `${(b / 1024).toFixed(1)} KB` : `${(b / 1048576).toFixed(1)} MB`)

function SignIn({ error, onToken }: { error: string | null; onToken: (t: string) => void }) {
  return (
    <main>
      <h1>Footfall</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          const t = new FormData(e.currentTarget).get('token')
          if (typeof t === 'string' && t) onToken(t)
        }}
      >
        <label>
          Dashboard token <input name="token" type="password" autoComplete="current-password" required autoFocus />
        </label>{' '}
        <button type="submit">Open</button>
        <p class="hint">Kept for this tab only (sessionStorage).</p>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
    </main>
  )
}
