/**
 * The overview's breakdowns grouped as Plausible groups them: one card per group, one tab per breakdown of
 * `BREAKDOWNS` (panels.ts, which keeps the queries), the open tab kept in the URL under the group's key.
 */
import { BREAKDOWNS, type BreakdownSpec } from './panels.ts'

export interface PanelGroupSpec {
  /** The URL parameter holding the open tab (its breakdown's testid), and the card's `data-group`. */
  key: string
  title: string
  /** [breakdown testid, tab label (also the first column's header)]; the first is open by default. */
  tabs: readonly (readonly [string, string])[]
}

export const PANEL_GROUPS: readonly PanelGroupSpec[] = [
  {
    key: 'pages',
    title: 'Pages',
    tabs: [
      ['top-pages', 'Top pages'],
      ['entry-pages', 'Entry pages'],
      ['exit-pages', 'Exit pages'],
    ],
  },
  {
    key: 'sources',
    title: 'Sources',
    tabs: [
      ['channels', 'Channels'],
      ['sources', 'Sources'],
      ['referrers', 'Referrers'],
      ['utm-mediums', 'UTM medium'],
      ['utm-sources', 'UTM source'],
      ['utm-campaigns', 'UTM campaign'],
    ],
  },
  {
    key: 'locations',
    title: 'Locations',
    tabs: [
      ['countries', 'Countries'],
      ['regions', 'Regions'],
      ['cities', 'Cities'],
    ],
  },
  {
    key: 'devices',
    title: 'Devices',
    tabs: [
      ['browsers', 'Browser'],
      ['os', 'OS'],
      ['devices', 'Device'],
    ],
  },
]

/** The breakdowns no group holds (custom events), shown as panels of their own. */
export const UNGROUPED: readonly BreakdownSpec[] = BREAKDOWNS.filter((b) => !PANEL_GROUPS.some((g) => g.tabs.some(([t]) => t === b.testid)))

/** The group's open tab: the URL's if it names one of its tabs, else the first. */
export function openTab(group: PanelGroupSpec, extra: Record<string, string>): BreakdownSpec {
  const want = extra[group.key]
  const testid = group.tabs.some(([t]) => t === want) ? want! : group.tabs[0]![0]
  return BREAKDOWNS.find((b) => b.testid === testid)!
}

/** The group holding a breakdown, and the URL parameter that opens its tab (for tests and links). */
export function groupOf(testid: string): PanelGroupSpec | undefined {
  return PANEL_GROUPS.find((g) => g.tabs.some(([t]) => t === testid))
}
