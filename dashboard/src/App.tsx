import { useEffect, useRef, useState } from 'preact/hooks'
import { bucketFor, pageviewsOverTime, topPages, totals } from '../../warehouse/sql/overview.ts'
import { AuthError, fetchFile, getToken, listFiles, setToken } from './api.ts'
import { BarChart, type Point } from './Chart.tsx'
import { Lake, type Row } from './db.ts'

const RANGES = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 } as const
type RangeName = keyof typeof RANGES
// New part files land every few seconds: poll for them, loading only files not seen before.
const REFRESH_MS = 5000

interface View {
  totals: Row
  series: Point[]
  pages: Row[]
}

export function App() {
  const params = new URLSearchParams(location.search)
  const [site] = useState(params.get('site') ?? 'demo')
  const [range, setRange] = useState<RangeName>((params.get('range') as RangeName) in RANGES ? (params.get('range') as RangeName) : '24h')
  const [authed, setAuthed] = useState(!!getToken())
  const [status, setStatus] = useState('Starting DuckDB…')
  const [error, setError] = useState<string | null>(null)
  const [view, setView] = useState<View | null>(null)
  const lake = useRef<Promise<Lake> | null>(null)

  useEffect(() => {
    if (!authed) return
    lake.current ??= Lake.open()
    let stopped = false
    const refresh = async () => {
      try {
        const db = await lake.current!
        const to = Date.now()
        const r = { from: to - RANGES[range] * 3_600_000, to }
        const files = (await listFiles(site, r.from, r.to)).filter((f) => !db.has(f.key))
        for (const [i, f] of files.entries()) {
          setStatus(`Loading file ${i + 1} of ${files.length}`)
          await db.load(f.key, await fetchFile(f))
        }
        const [t, series, pages] = await Promise.all([db.run(totals(r)), db.run(pageviewsOverTime(r, bucketFor(r))), db.run(topPages(r))])
        if (stopped) return
        setView({ totals: t[0] ?? {}, series: series.map((p) => ({ t: new Date(p.t as number), value: p.pageviews as number })), pages })
        setStatus(`Updated ${new Date().toLocaleTimeString()}`)
        setError(null)
      } catch (e) {
        if (e instanceof AuthError) return setAuthed(false), setError(`Sign-in failed: ${e.message}`)
        setError((e as Error).message)
      }
    }
    refresh()
    const timer = setInterval(refresh, REFRESH_MS)
    return () => ((stopped = true), clearInterval(timer))
  }, [authed, range, site])

  if (!authed) return <SignIn error={error} onToken={(t) => (setToken(t), setError(null), setAuthed(true))} />
  return (
    <main>
      <header>
        <h1>Footfall · {site}</h1>
        <label>
          Range{' '}
          <select value={range} onChange={(e) => setRange(e.currentTarget.value as RangeName)}>
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="30d">Last 30 days</option>
          </select>
        </label>
        <span class="status" role="status">{status}</span>
      </header>
      {error && <p class="error" role="alert">{error}</p>}
      {view && (
        <>
          <section class="kpis">
            <Kpi label="Pageviews" value={view.totals.pageviews} testid="kpi-pageviews" />
            <Kpi label="Unique visitors" value={view.totals.visitors} testid="kpi-visitors" />
            <Kpi label="Custom events" value={view.totals.events} testid="kpi-events" />
          </section>
          <section>
            <h2>Pageviews over time</h2>
            <BarChart points={view.series} label="Pageviews over time" />
          </section>
          <section>
            <h2>Top pages</h2>
            <table data-testid="top-pages">
              <thead>
                <tr><th>Page</th><th>Pageviews</th><th>Visitors</th></tr>
              </thead>
              <tbody>
                {view.pages.map((p) => (
                  <tr key={String(p.path)}>
                    <td>{String(p.path)}</td>
                    <td>{String(p.pageviews)}</td>
                    <td>{String(p.visitors)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </main>
  )
}

function Kpi({ label, value, testid }: { label: string; value: unknown; testid: string }) {
  return (
    <div class="kpi">
      <div class="kpi-value" data-testid={testid}>{String(value ?? 0)}</div>
      <div class="kpi-label">{label}</div>
    </div>
  )
}

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
          Dashboard token <input name="token" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit">Open</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
    </main>
  )
}
