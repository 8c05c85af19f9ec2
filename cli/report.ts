/** `footfall report`: the dashboard's main numbers for a site and range, as text. */
import { breakdown, customEvents, sessionBreakdown, topPages } from '../warehouse/sql/breakdowns.ts'
import type { Filter } from '../warehouse/sql/filters.ts'
import { kpis } from '../warehouse/sql/kpis.ts'
import { breakdownSplit, customEventsSplit, kpisSplit, sessionBreakdownSplit, type Split } from '../warehouse/sql/aggregates.ts'
import type { Range } from '../warehouse/sql/query.ts'
import { cell, render, type Format } from './format.ts'
import type { Engine, Row } from '../warehouse/engine.ts'
import type { Query } from '../warehouse/sql/query.ts'

export interface ReportOptions {
  site?: string
  filters?: Filter[]
  bots?: boolean
  limit?: number
  format: Format
  /** The range and its previous period split into aggregated days and raw parts (cli/aggregates.ts). */
  split?: { range: Split; previous: Split }
}

/** The report's sections: name -> rows. */
export async function report(engine: Engine, r: Range, o: ReportOptions): Promise<Record<string, Row[]>> {
  const run = async (q: Query) => (await engine.query(q)).rows
  const scope = { site: o.site, filters: o.filters, bots: o.bots }
  const limit = o.limit ?? 10
  if (o.split) {
    const s = o.split.range
    return {
      kpis: (await run(kpisSplit(s, scope, o.split.previous))).map(({ events: _, prev_events: __, ...k }) => k),
      top_pages: await run(breakdownSplit(s, 'path', { ...scope, type: 'pageview', limit })),
      entry_pages: await run(sessionBreakdownSplit(s, 'entry_page', { ...scope, limit })),
      channels: await run(sessionBreakdownSplit(s, 'channel', { ...scope, limit })),
      referrers: await run(sessionBreakdownSplit(s, 'referrer_host', { ...scope, limit })),
      countries: await run(breakdownSplit(s, 'country', { ...scope, limit })),
      devices: await run(breakdownSplit(s, 'device_type', { ...scope, limit })),
      browsers: await run(breakdownSplit(s, 'browser', { ...scope, limit })),
      custom_events: await run(customEventsSplit(s, { ...scope, limit })),
    }
  }
  return {
    kpis: await run(kpis(r, scope)),
    top_pages: await run(topPages(r, { ...scope, limit })),
    entry_pages: await run(sessionBreakdown(r, 'entry_page', { ...scope, limit })),
    channels: await run(sessionBreakdown(r, 'channel', { ...scope, limit })),
    referrers: await run(sessionBreakdown(r, 'referrer_host', { ...scope, limit })),
    countries: await run(breakdown(r, 'country', { ...scope, limit })),
    devices: await run(breakdown(r, 'device_type', { ...scope, limit })),
    browsers: await run(breakdown(r, 'browser', { ...scope, limit })),
    custom_events: await run(customEvents(r, { ...scope, limit })),
  }
}

const KPI_NAMES = ['visitors', 'visits', 'pageviews', 'views_per_visit', 'bounce_rate', 'visit_duration_ms'] as const

export function renderReport(sections: Record<string, Row[]>, r: Range, o: ReportOptions): string {
  if (o.format === 'json') return JSON.stringify({ from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), ...sections })
  const k = sections.kpis![0] ?? {}
  const kpiRows = KPI_NAMES.map((n) => ({ metric: n, value: k[n], previous: k[`prev_${n}`], change: change(k[n], k[`prev_${n}`]) }))
  const parts = [`Footfall ${o.site ?? 'all sites'}: ${new Date(r.from).toISOString()} .. ${new Date(r.to).toISOString()}`]
  if (o.format === 'csv') parts.length = 0
  parts.push(o.format === 'csv' ? render(kpiRows, 'csv') : `\nKPIs\n${render(kpiRows, 'table')}`)
  for (const [name, rows] of Object.entries(sections)) {
    if (name === 'kpis') continue
    parts.push(
      o.format === 'csv'
        ? `\n# ${name}\n${render(rows, 'csv')}`
        : `\n${name.replace('_', ' ')}\n${rows.length ? render(rows, 'table') : '(none)'}`,
    )
  }
  return parts.join('\n')
}

function change(cur: unknown, prev: unknown): string {
  if (typeof cur !== 'number' || typeof prev !== 'number' || prev === 0) return ''
  return `${cell(((cur - prev) / prev) * 100)}%`
}
