import type { SiteInfo } from './sites.ts'

/** Every configured site; one the URL names that is not configured is listed too, marked unknown. */
export function SiteSwitcher({ site, sites, onChange }: { site: string; sites: SiteInfo[] | null; onChange: (site: string) => void }) {
  const ids = sites?.map((s) => s.id) ?? []
  return (
    <label>
      Site{' '}
      <select data-testid="site" value={site} onChange={(e) => onChange(e.currentTarget.value)}>
        {ids.map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
        {sites && !ids.includes(site) && <option value={site}>{site} (not configured)</option>}
        {!sites && <option value={site}>{site}</option>}
      </select>
    </label>
  )
}
