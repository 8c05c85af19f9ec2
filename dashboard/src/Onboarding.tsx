import { useState } from 'preact/hooks'

/**
 * A site without any event yet: the script tag to paste (this worker's own origin, the site's id) and a
 * visible wait for the first event, which App turns into the dashboard (sites.ts polls).
 */
export function Onboarding({ site, checkedAt }: { site: string; checkedAt: number }) {
  const tag = `<script defer src="${location.origin}/f.js" data-site="${site}"></script>`
  const [copied, setCopied] = useState(false)
  return (
    <section class="onboarding" data-testid="onboarding">
      <h2>No visits to {site} yet</h2>
      <p>Paste this tag into the &lt;head&gt; of every page of the site:</p>
      <pre>
        <code data-testid="snippet">{tag}</code>
      </pre>
      <button type="button" onClick={() => navigator.clipboard?.writeText(tag).then(() => setCopied(true))}>
        {copied ? 'Copied' : 'Copy the tag'}
      </button>
      <p class="waiting" role="status" data-testid="waiting">
        <span class="pulse" aria-hidden="true" /> Waiting for the first event… (checked{' '}
        {checkedAt ? new Date(checkedAt).toLocaleTimeString() : 'now'})
      </p>
      <p class="hint">
        The page's host must be one of the site's hosts in <code>SITES</code> (wrangler.toml). Visits from localhost are ignored unless the
        tag has <code>data-localhost</code>.
      </p>
    </section>
  )
}
