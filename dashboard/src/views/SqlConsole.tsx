/** The SQL console: reading statements over the loaded tables, run only when the owner presses Run. */
import { useState } from 'preact/hooks'
import { CONSOLE_EXAMPLE } from '../../../warehouse/sql/load.ts'
import type { ViewProps } from '../Overview.tsx'
import { Panel } from '../Panel.tsx'

export function SqlConsole({ lake, version, extra, setExtra }: ViewProps) {
  const initial = extra.sql || CONSOLE_EXAMPLE
  const [text, setText] = useState(initial)
  // SQL from the URL is anyone's (a link can carry it): shown, and run only when the owner presses Run.
  const [ran, setRan] = useState<string | null>(extra.sql ? null : initial)
  const run = () => (setRan(text), setExtra('sql', text))
  return (
    <>
      <form class="controls sql" onSubmit={(e) => (e.preventDefault(), run())}>
        <label for="sql-text">
          SQL over <code>events</code> (deduplicated; <code>vid</code> numbers its visitor for this load), <code>sessions</code>,{' '}
          <code>dropped_raw</code> (Ctrl+Enter runs; reading statements only, nothing it does changes the other views)
        </label>
        <textarea
          id="sql-text"
          data-testid="sql-text"
          rows={6}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.preventDefault(), run()
          }}
        />
        <button type="submit" data-testid="sql-run">
          Run
        </button>
      </form>
      {ran === null ? (
        <section class="panel" data-testid="sql-result" data-state="waiting">
          <p class="empty" role="status">
            This query came with the link and has not run: read it, then press Run.
          </p>
        </section>
      ) : (
        <Panel
          title="Result"
          testid="sql-result"
          lake={lake}
          version={version}
          query={{ sql: ran, params: [] }}
          empty="No rows."
          readOnly
        />
      )}
    </>
  )
}
