/**
 * One panel: runs its query whenever the query or the loaded data changes, and shows a loading, idle (nothing
 * to run yet), empty, error or table state, with a CSV export. Rows of a breakdown are buttons that add a filter.
 */
import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import type { Query } from '../../warehouse/sql/query.ts'
import { downloadCsv } from './csv.ts'
import { formatCell, formatHeader, formatShare } from './format.ts'
import type { Lake, Result, Row } from './db.ts'

export interface PanelProps {
  title: string
  testid: string
  lake: Lake
  /** Bumped whenever new files are loaded. */
  version: number
  query: Query | null
  /** Click on a row: the first column's value. */
  onPick?: (value: string) => void
  /** Column labels (defaults: the result's column names). */
  labels?: Record<string, string>
  /** The columns to show and export (default: all). */
  columns?: string[]
  empty?: string
  /**
   * Said instead of "Loading…" while `query` is null because there is nothing to run yet (no funnel steps,
   * no custom event to describe), not because something is loading.
   */
  idle?: string
  /** The query this panel will run is still being worked out (from other queries): busy, as when it runs. */
  busy?: boolean
  children?: (r: Result) => ComponentChildren
  showSql?: boolean
  /** SQL typed by the owner or carried by a link: run read-only (`Lake.runReadOnly`), never changing the loaded tables. */
  readOnly?: boolean
  /** Drawn under the title (a group's tabs); `body` then labels the content (`id`, `role`, `aria-labelledby`). */
  tabs?: ComponentChildren
  body?: Record<string, string>
  /** Buttons beside CSV (a group's Details). */
  actions?: ComponentChildren
  /** The column each row's share bar measures (`ResultTable`), and the whole it is a share of. */
  share?: string
  total?: number
  /** Spans the whole row of a grid (a table of many columns). */
  wide?: boolean
}

type Outcome = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; result: Result }
/** `pending`: a newer query is running; the last result stays on screen until it answers. */
export type PanelState = Outcome & { pending: boolean }
/** An outcome and the version and query it answers. */
type Answer = Outcome & { for: string | null }

export function usePanelQuery(lake: Lake, version: number, query: Query | null, readOnly = false): PanelState {
  const [answer, setAnswer] = useState<Answer>({ kind: 'loading', for: null })
  const key = query ? JSON.stringify(query) : ''
  // What the answer must be for: pending from the very render that asks for a new one (not from the effect
  // after it), so no frame shows old numbers as current.
  const want = `${version} ${key}`
  useEffect(() => {
    if (!query) return
    let live = true
    ;(readOnly ? lake.runReadOnly(query.sql) : lake.runWithColumns(query)).then(
      (result) => live && setAnswer({ kind: 'ready', result, for: want }),
      (e: Error) => live && setAnswer({ kind: 'error', message: e.message, for: want }),
    )
    return () => void (live = false)
  }, [lake, version, key])
  if (!query) return { kind: 'loading', pending: false }
  const { for: answered, ...state } = answer
  return { ...state, pending: answered !== want }
}

export function Panel({
  title,
  testid,
  lake,
  version,
  query,
  onPick,
  labels,
  empty,
  idle,
  busy,
  children,
  showSql,
  columns,
  readOnly,
  tabs,
  body,
  actions,
  share,
  total,
  wide,
}: PanelProps) {
  const state = usePanelQuery(lake, version, query, readOnly)
  const full = state.kind === 'ready' ? state.result : null
  const result = full && columns ? { columns: columns.filter((c) => full.columns.includes(c)), rows: full.rows } : full
  const status = !query && idle ? 'idle' : state.kind === 'ready' ? (state.result.rows.length ? 'ready' : 'empty') : state.kind
  return (
    <section class={wide ? 'panel wide' : 'panel'} data-testid={testid} data-state={status} aria-busy={state.pending || (!query && !!busy)}>
      <div class="panel-head">
        <h2>{title}</h2>
        {actions}
        {result && result.rows.length > 0 && (
          <button
            type="button"
            class="csv"
            data-testid={`${testid}-csv`}
            onClick={() => downloadCsv(testid, result.columns, shown(result))}
          >
            CSV
          </button>
        )}
      </div>
      {tabs}
      <div class="panel-body" {...body}>
        {status === 'idle' && (
          <p class="empty" data-testid={`${testid}-idle`}>
            {idle}
          </p>
        )}
        {status === 'loading' && <p class="empty">Loading…</p>}
        {state.kind === 'error' && (
          <p class="error" role="alert">
            {state.message}
          </p>
        )}
        {result && !result.rows.length && <p class="empty">{empty ?? 'No data in this range.'}</p>}
        {result &&
          result.rows.length > 0 &&
          (children ? children(result) : <ResultTable result={result} onPick={onPick} labels={labels} share={share} total={total} />)}
      </div>
      {showSql && query && (
        <details open>
          <summary>SQL</summary>
          <pre data-testid={`${testid}-sql`}>{query.sql}</pre>
          <p class="params">
            Parameters: <code>{JSON.stringify(query.params)}</code>
          </p>
        </details>
      )}
    </section>
  )
}

/**
 * A result as a table. Text cells wrap (long paths and referrers break anywhere) and numbers never do, so no
 * cell is cut at any width. With `share`, each row's first cell carries a bar behind its label, as long as the
 * row's `share` value against the largest in the table (Plausible's bars), titled with its share of `total`
 * (the range's visitors) when given, else of the table's sum.
 */
export function ResultTable({
  result,
  onPick,
  labels,
  share,
  total,
  scale,
}: {
  result: Result
  onPick?: (value: string) => void
  labels?: Record<string, string>
  share?: string
  total?: number
  /** The value a full bar stands for (default: the table's largest), so a filtered list keeps its bars. */
  scale?: number
}) {
  const values = share && result.columns.includes(share) ? result.rows.map((r) => Number(r[share] ?? 0)) : null
  const top = scale ?? (values ? Math.max(0, ...values) : 0)
  const whole = total && total > 0 ? total : values ? values.reduce((a, b) => a + b, 0) : 0
  return (
    <div class="table-wrap">
      {/* Over five columns, a narrow box shows each row as a card of "header: value" lines (style.css). */}
      <table class={result.columns.length > 5 ? 'many' : undefined}>
        <thead>
          <tr>
            {result.columns.map((c, j) => (
              <th key={c} scope="col" class={j > 0 && isNumeric(result, c) ? 'num' : undefined}>
                {labels?.[c] ?? formatHeader(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((r, i) => (
            <tr key={i}>
              {result.columns.map((c, j) => (
                <td
                  key={c}
                  class={j === 0 ? 'label' : isNumeric(result, c) ? 'num' : undefined}
                  data-label={labels?.[c] ?? formatHeader(c)}
                >
                  {j === 0 && values && top > 0 && (
                    <span
                      class="bar"
                      aria-hidden="true"
                      data-share={formatShare(values[i]!, whole)}
                      style={{ width: `${(100 * values[i]!) / top}%` }}
                    />
                  )}
                  {j === 0 && onPick && r[c] !== null && r[c] !== undefined ? (
                    <button
                      type="button"
                      class="pick"
                      title={`Filter by ${String(r[c])}${values ? ` (${formatShare(values[i]!, whole)} of ${share})` : ''}`}
                      onClick={() => onPick(String(r[c]))}
                    >
                      {formatCell(c, r[c])}
                    </button>
                  ) : j === 0 && (r[c] === null || r[c] === undefined) ? (
                    <em class="none">(none)</em>
                  ) : j === 0 ? (
                    <span class="text">{formatCell(c, r[c])}</span>
                  ) : (
                    formatCell(c, r[c])
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** A column of numbers (right-aligned, never wrapped): every value it holds is a number or missing. */
function isNumeric(result: Result, column: string): boolean {
  return result.rows.every((r) => {
    const v = r[column]
    return v === null || v === undefined || typeof v === 'number' || typeof v === 'bigint'
  })
}

/** Rows as shown (formatted cells), for CSV. */
export function shown(r: Result): Row[] {
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c) => [c, formatCell(c, row[c])])))
}

export type { Row }
