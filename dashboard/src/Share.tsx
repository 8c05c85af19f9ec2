import { useEffect, useState } from 'preact/hooks'
import { createLink, listLinks, revokeLink, type ShareLink } from './sites.ts'

const EXPIRY: [string, number | null][] = [
  ['Never', null],
  ['1 day', 1],
  ['7 days', 7],
  ['30 days', 30],
]

/**
 * The owner's shared links of one site: create one (read-only; optionally expiring, optionally with the
 * SQL console), copy it, revoke it. Whoever opens a link sees this site's dashboard and nothing else.
 */
export function Share({ site }: { site: string }) {
  const [open, setOpen] = useState(false)
  const [links, setLinks] = useState<ShareLink[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [days, setDays] = useState<number | null>(null)
  const [sql, setSql] = useState(false)
  const [label, setLabel] = useState('')
  const [copied, setCopied] = useState<string | null>(null)

  const load = () =>
    listLinks(site)
      .then(setLinks)
      .catch((e: Error) => setError(e.message))
  useEffect(() => {
    if (open) void load()
  }, [open, site])

  const create = async () => {
    setError(null)
    try {
      const expires = days === null ? undefined : new Date(Date.now() + days * 86_400_000).toISOString()
      const link = await createLink(site, { expires, sql, label: label || undefined })
      setLabel('')
      await load()
      await copy(link)
    } catch (e) {
      setError((e as Error).message)
    }
  }
  const copy = async (l: ShareLink) => {
    await navigator.clipboard?.writeText(location.origin + l.url).catch(() => {})
    setCopied(l.id)
  }

  return (
    <div class="share">
      <button type="button" data-testid="share" aria-expanded={open} onClick={() => setOpen(!open)}>
        Share
      </button>
      {open && (
        <section
          class="share-panel"
          data-testid="share-panel"
          aria-label={`Shared links of ${site}`}
          onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
        >
          <h2>Shared links of {site}</h2>
          <p class="hint">Read-only: whoever has a link sees this site's dashboard, nothing else. Revoking ends it at once.</p>
          <form
            onSubmit={(e) => {
              e.preventDefault()
              void create()
            }}
          >
            <label>
              Label <input data-testid="share-label" value={label} maxLength={100} onInput={(e) => setLabel(e.currentTarget.value)} />
            </label>{' '}
            <label>
              Expires{' '}
              <select data-testid="share-expiry" onChange={(e) => setDays(e.currentTarget.value ? Number(e.currentTarget.value) : null)}>
                {EXPIRY.map(([name, d]) => (
                  <option key={name} value={d ?? ''} selected={d === days}>
                    {name}
                  </option>
                ))}
              </select>
            </label>{' '}
            <label>
              <input type="checkbox" data-testid="share-sql" checked={sql} onChange={(e) => setSql(e.currentTarget.checked)} /> SQL console
            </label>{' '}
            <button type="submit" data-testid="share-create">
              Create link
            </button>
          </form>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          {links && !links.length && <p class="empty">No shared links yet.</p>}
          {links && links.length > 0 && (
            <ul class="share-links" data-testid="share-links">
              {links.map((l) => (
                <li key={l.id} data-link={l.id}>
                  <span>
                    {l.label || 'Link'} · {l.exp ? `expires ${new Date(l.exp * 1000).toLocaleString()}` : 'no expiry'}
                    {l.sql ? ' · SQL console' : ''}
                  </span>
                  <input readOnly value={location.origin + l.url} aria-label="Link" onFocus={(e) => e.currentTarget.select()} />
                  <button type="button" onClick={() => copy(l)}>
                    {copied === l.id ? 'Copied' : 'Copy'}
                  </button>
                  <button
                    type="button"
                    data-testid="share-revoke"
                    onClick={() =>
                      revokeLink(site, l.id)
                        .then(load)
                        .catch((e: Error) => setError(e.message))
                    }
                  >
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  )
}
