/**
 * A breakdown's every row in a modal dialog: the panel's own query builder with a larger limit, a search box
 * that filters the rows as typed, Escape (the native dialog's cancel) or the close button to leave.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { ViewScope } from '../../warehouse/sql/view.ts'
import type { Lake } from './db.ts'
import { formatCell } from './format.ts'
import { ResultTable, usePanelQuery } from './Panel.tsx'
import type { BreakdownSpec } from './panels.ts'

/** Rows a Details list asks for: every row of any range we have seen, with a cap that says when it is hit. */
export const DETAILS_LIMIT = 5000

export interface DetailsProps {
  title: string
  spec: BreakdownSpec
  label: string
  lake: Lake
  version: number
  scope: ViewScope
  total?: number
  onPick?: (value: string) => void
  onClose: () => void
}

export function Details({ title, spec, label, lake, version, scope, total, onPick, onClose }: DetailsProps) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [search, setSearch] = useState('')
  const state = usePanelQuery(lake, version, spec.query(scope, DETAILS_LIMIT))
  useEffect(() => {
    const d = dialog.current
    if (d && !d.open) d.showModal()
  }, [])
  const key = spec.columns[0]!
  const needle = search.trim().toLowerCase()
  const rows =
    state.kind === 'ready'
      ? state.result.rows.filter(
          (r) => !needle || (r[key] === null || r[key] === undefined ? '(none)' : formatCell(key, r[key])).toLowerCase().includes(needle),
        )
      : []
  return (
    <dialog
      ref={dialog}
      class="details"
      data-testid={`details-${spec.testid}`}
      data-state={state.kind === 'ready' ? 'ready' : state.kind}
      aria-busy={state.kind === 'loading' || state.pending}
      aria-labelledby={`details-${spec.testid}-title`}
      onClose={onClose}
      // Escape closes even from the search box, whose own Escape (clearing its text) would swallow the dialog's.
      onKeyDown={(ev) => {
        if (ev.key === 'Escape') {
          ev.preventDefault()
          dialog.current?.close()
        }
      }}
    >
      <div class="details-head">
        <h2 id={`details-${spec.testid}-title`}>{title}</h2>
        <button type="button" class="details-close" data-testid="details-close" aria-label="Close" onClick={() => dialog.current?.close()}>
          ×
        </button>
      </div>
      <input
        type="search"
        class="details-search"
        data-testid="details-search"
        placeholder={`Search ${label.toLowerCase()}`}
        aria-label={`Search ${label.toLowerCase()}`}
        value={search}
        onInput={(ev) => setSearch(ev.currentTarget.value)}
        // Focus the box, not the first button: the list is for searching.
        autoFocus
      />
      {state.kind === 'loading' && <p class="empty">Loading…</p>}
      {state.kind === 'error' && (
        <p class="error" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === 'ready' && (
        <>
          <p class="hint" data-testid="details-count" aria-live="polite">
            {rows.length === state.result.rows.length ? `${rows.length} rows` : `${rows.length} of ${state.result.rows.length} rows`}
            {state.result.rows.length >= DETAILS_LIMIT ? ` (the first ${DETAILS_LIMIT})` : ''}
          </p>
          {rows.length > 0 && (
            <ResultTable
              result={{ columns: spec.columns.filter((c) => state.result.columns.includes(c)), rows }}
              onPick={onPick}
              labels={{ value: label }}
              share="visitors"
              total={total}
              scale={Math.max(0, ...state.result.rows.map((r) => Number(r.visitors ?? 0)))}
            />
          )}
        </>
      )}
    </dialog>
  )
}
