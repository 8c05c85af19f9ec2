import { useCallback, useEffect, useState } from 'preact/hooks'
import { clearToken, getToken, setToken } from './api.ts'
import { clearCache } from './loader.ts'
import { aggregatesAnswer, type Split } from '../../warehouse/sql/aggregates.ts'
import { localDate, localDay, localMidnight } from '../../warehouse/aggregate/zone.ts'
import type { Range } from '../../warehouse/sql/query.ts'
import { FilterBar } from './Filters.tsx'
import { Overview, type ViewProps } from './Overview.tsx'
import { earlyChart, RollupOverview, useEarlyChart } from './RollupOverview.tsx'
import { useLake } from './useLake.ts'
import type { Dimension } from '../../warehouse/sql/dimensions.ts'
import type { Filter } from '../../warehouse/sql/filters.ts'
import type { ViewScope } from '../../warehouse/sql/view.ts'
import { parseState, previousOf, rangeOf, RANGE_NAMES, toSearch, VIEWS, type RangeName, type State, type ViewName } from './state.ts'
import { sharedLink, withinLink } from './link.ts'
import { Onboarding } from './Onboarding.tsx'
import { Share } from './Share.tsx'
import { SiteSwitcher } from './SiteSwitcher.tsx'
import { useSites } from './sites.ts'
import { Filtered } from './views/Filtered.tsx'
import { Funnels } from './views/Funnels.tsx'
import { Realtime } from './views/Realtime.tsx'
import { SqlConsole } from './views/SqlConsole.tsx'
import { Streams } from './views/Streams.tsx'
import { Users } from './views/Users.tsx'

const RANGE_LABEL: Record<RangeName, string> = {
  realtime: 'Realtime (30 min)',
  today: 'Today',
  yesterday: 'Yesterday',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  month: 'Month to date',
  lastmonth: 'Last month',
  '12mo': 'Last 12 months',
  ytd: 'Year to date',
  all: 'All time',
  custom: 'Custom',
}
const VIEW_LABEL: Record<ViewName, string> = {
  overview: 'Overview',
  realtime: 'Realtime',
  streams: 'Streams',
  funnels: 'Funnels & orders',
  users: 'Users',
  filtered: 'Filtered traffic',
  sql: 'SQL',
}

export function App() {
  // A shared link (`#link=`) shows its one site, read-only: no sign-in, no site switcher, no sharing.
  const [link] = useState(sharedLink)
  const [state, setStateRaw] = useState<State>(() => withinLink(parseState(location.search), link))
  const [authed, setAuthed] = useState(!!link || !!getToken())
  /** Why the sign-in form is shown again (a refused token). */
  const [signInError, setSignInError] = useState<string | null>(null)
  /** Why the shared link does not open (revoked, expired, altered). */
  const [linkError, setLinkError] = useState<string | null>(null)

  const setState = useCallback((next: State) => {
    // The fragment holds a shared link's token: kept, so the view can be reloaded.
    history.pushState(null, '', location.pathname + toSearch(withinLink(next, link)) + location.hash)
    setStateRaw(withinLink(next, link))
  }, [])
  useEffect(() => {
    const onPop = () => setStateRaw(withinLink(parseState(location.search), link))
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])

  // The overview without bots, unfiltered or filtered by one slice (`is` one value of page, source, country,
  // device, ...), answers from the aggregates of the range's whole days and reads raw events only for the rest
  // (warehouse/sql/aggregates.ts); other views, other filters and bots read raw events.
  const aggregated = state.view === 'overview' && aggregatesAnswer(state.filters) && !state.bots && state.range !== 'realtime'
  const { lake, version, now, progress, last, loaded, listing, current, large, allowLarge, error, refresh } = useLake(
    state,
    authed,
    aggregated,
    (message) => {
      if (link) return setLinkError(message.replace(/ Enter the dashboard token again\.$/, ''))
      clearToken()
      setAuthed(false)
      setSignInError(message)
    },
  )

  // The overview without filters draws its chart from the aggregates, pageview rollups and the open day's
  // files while the events load (early.ts), once the aggregates are listed: again when the range changes, not
  // on a refresh or a realtime poll (the events' chart is there already).
  const early = useEarlyChart(
    authed && state.view === 'overview' && !state.filters.length && state.range !== 'realtime' ? listing : null,
    JSON.stringify([state.site, state.range, state.from, state.to, state.compare, state.bots]),
  )

  // The owner's sites, for the switcher; an empty site shows how to start and turns into data at its first event.
  const { sites, checkedAt } = useSites(authed && !link, state.site, refresh)
  const empty = sites?.find((s) => s.id === state.site)?.hasEvents === false

  if (linkError)
    return (
      <main>
        <h1>Footfall</h1>
        <p class="error" role="alert" data-testid="link-error">
          This shared link does not open: {linkError}
        </p>
      </main>
    )
  if (!authed) return <SignIn error={signInError} onToken={(t) => (setToken(t), setSignInError(null), setAuthed(true))} />

  // The zone, first day and time of the newest listing (the load under way, or the last one).
  const tz = listing?.tz ?? 'UTC'
  const at = listing?.at ?? now
  const range = rangeOf(state, at, tz, listing?.first)
  // The split of what was loaded, while it still answers this state (a new range waits for its load).
  const split = aggregated && loaded?.split && sameRange(range, loaded.split) ? loaded.split : undefined
  const scope: ViewScope = {
    range,
    filters: state.filters,
    bots: state.bots,
    materialised: true,
    split,
    previousSplit: split ? loaded?.previousSplit : null,
    tz,
  }
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
      if (!state.filters.some((f) => f.dim === dim && f.op === 'is' && f.value === value))
        setFilters([...state.filters, { dim, op: 'is', value }])
    },
  }
  const loading = progress && !progress.done
  const chart = earlyChart(early, range, props.previous, state.bots, tz)
  return (
    <main data-now={at} data-version={version}>
      <header>
        <h1>Footfall · {state.site}</h1>
        {link ? (
          <span class="badge" data-testid="shared-view">
            Shared view, read-only
          </span>
        ) : (
          <>
            <SiteSwitcher site={state.site} sites={sites} onChange={(site) => setState({ ...state, site, filters: [] })} />
            <Share site={state.site} />
          </>
        )}
        {/* Realtime is always the last 30 minutes: no range to choose. */}
        {state.view !== 'realtime' && (
          <label>
            Range{' '}
            <select
              data-testid="range"
              value={state.range}
              onChange={(e) => setState({ ...state, range: e.currentTarget.value as RangeName })}
            >
              {RANGE_NAMES.map((r) => (
                <option key={r} value={r}>
                  {RANGE_LABEL[r]}
                </option>
              ))}
            </select>
          </label>
        )}
        {state.range === 'custom' && state.view !== 'realtime' && (
          <>
            {/* Whole local days of the site's zone. */}
            <label>
              From{' '}
              <input
                type="date"
                value={localDate(range.from, tz)}
                onChange={(e) => setState({ ...state, from: localMidnight(e.currentTarget.value, tz) })}
              />
            </label>
            <label>
              To{' '}
              <input
                type="date"
                value={localDate(range.to, tz)}
                onChange={(e) => setState({ ...state, to: localDay(e.currentTarget.value, tz).to })}
              />
            </label>
          </>
        )}
        {/* Nor a previous period to compare with: the view shows the last 30 minutes only. */}
        {state.view !== 'realtime' && (
          <label>
            <input
              type="checkbox"
              data-testid="compare"
              checked={state.compare}
              onChange={(e) => setState({ ...state, compare: e.currentTarget.checked })}
            />{' '}
            Compare with previous period
          </label>
        )}
        <label>
          <input
            type="checkbox"
            data-testid="bots"
            checked={state.bots}
            onChange={(e) => setState({ ...state, bots: e.currentTarget.checked })}
          />{' '}
          Include bots
        </label>
        <button type="button" onClick={refresh}>
          Refresh
        </button>
        {!link && (
          <button type="button" onClick={() => (clearToken(), clearCache(), setAuthed(false))}>
            Sign out
          </button>
        )}
      </header>
      <nav aria-label="Views">
        {VIEWS.filter((v) => v !== 'sql' || !link || link.sql).map((v) => (
          <a
            key={v}
            href={toSearch({ ...state, view: v }) + location.hash}
            aria-current={state.view === v ? 'page' : undefined}
            data-testid={`nav-${v}`}
            onClick={(e) => (e.preventDefault(), setState({ ...state, view: v }))}
          >
            {VIEW_LABEL[v]}
          </a>
        ))}
      </nav>
      <div class="loadbar" role="status" aria-live="polite">
        {progress && (
          <div
            data-testid="progress"
            data-done={String(progress.done)}
            data-files={progress.files}
            data-total-files={progress.totalFiles}
            data-bytes={progress.bytes}
            data-total-bytes={progress.totalBytes}
            hidden={!loading}
          >
            <progress value={progress.bytes} max={Math.max(1, progress.totalBytes)} aria-label="Download progress" /> {progress.files} of{' '}
            {progress.totalFiles} files · {kb(progress.bytes)} of {kb(progress.totalBytes)}
          </div>
        )}
        {!loading && last && (
          <span
            class="status"
            data-testid="load-stats"
            data-files={last.files}
            data-network={last.fromNetwork}
            data-cache={last.fromCache}
            data-timings={lake ? JSON.stringify(lake.timings) : undefined}
          >
            {lake
              ? `Loaded ${last.files} new file${last.files === 1 ? '' : 's'} (${kb(last.bytes)}; ${last.fromNetwork} downloaded, ${last.fromCache} from cache) · ${new Date(now).toLocaleTimeString()}`
              : ''}
          </span>
        )}
        {!lake && !error && <span class="status">Starting DuckDB…</span>}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {large && (
        <p class="notice" role="status" data-testid="large-download">
          This view reads raw events: {large.files} files, {kb(large.bytes)} to download.{' '}
          <button type="button" onClick={allowLarge}>
            Download them
          </button>
        </p>
      )}
      {!empty && ['overview', 'realtime', 'streams', 'funnels', 'users'].includes(state.view) && (
        <FilterBar filters={state.filters} onChange={setFilters} />
      )}
      {empty && <Onboarding site={state.site} checkedAt={checkedAt} />}
      {!empty && (!lake || !current) && chart && state.view === 'overview' && (
        <div class="view" data-testid="view-overview-early">
          <RollupOverview early={chart} range={range} extra={state.extra} setExtra={props.setExtra} />
        </div>
      )}
      {!empty && lake && !current && !(chart && state.view === 'overview') && (
        <div class="view" data-testid={`view-${state.view}`} data-state="loading" aria-busy={!large}>
          <p class="empty" role="status">
            {large ? '' : `Loading ${VIEW_LABEL[state.view].toLowerCase()}…`}
          </p>
        </div>
      )}
      {!empty && lake && current && (
        <div class="view" data-testid={`view-${state.view}`}>
          {state.view === 'overview' && <Overview {...props} early={chart} />}
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
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </main>
  )
}
