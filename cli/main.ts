/**
 * The Footfall CLI: the SQL library on native DuckDB over a lake (the local stack, files on disk, or R2).
 *
 *   footfall query "<sql>"                     any SQL over the `events` view (deduplicated; bots included)
 *   footfall report --site s --from d --to d   KPIs with the previous period, pages, sources, countries...
 *   footfall export --format csv|parquet --out f [--site --from --to]
 *
 * Lake: --dir <path> | --url <worker> --token <t> (default: the local stack) | --r2 <bucket>.
 */
import { parseArgs } from 'node:util'
import { eventsIn } from '../warehouse/sql/events.ts'
import { parseFilter } from '../warehouse/sql/filters.ts'
import { literal, sql, trusted } from '../warehouse/sql/query.ts'
import { render, type Format } from './format.ts'
import { renderReport, report } from './report.ts'
import { aggregateDays, loadAggregateFiles } from './aggregates.ts'
import { splitRange } from '../warehouse/sql/aggregates.ts'
import { previousPeriod } from '../warehouse/sql/kpis.ts'
import { openLake } from './source.ts'
import { sessionsOpenAt } from '../warehouse/sql/sessions.ts'
import { DAY } from '../warehouse/time.ts'

export const USAGE = `usage:
  footfall query "<sql>"                        [lake] [--format table|csv|json]
  footfall report --site <s> --from <t> --to <t> [lake] [--filter dim=value|dim!=value|dim~value]... [--bots] [--exact] [--tz <zone>] [--format table|csv|json]
                 (whole days from the aggregates, the rest from raw events; --exact, a filter or --bots: raw events only)
  footfall export --format csv|parquet --out <file> [--site <s>] [--from <t>] [--to <t>] [lake]
lake (one of):
  --dir <path>                 Parquet files below a directory
  --url <url> --token <token>  a running Footfall (default http://127.0.0.1:8787, token footfall-dev or $FOOTFALL_TOKEN)
  --r2 <bucket>                an R2 bucket via DuckDB httpfs ($R2_ACCOUNT_ID, $R2_ACCESS_KEY_ID, $R2_SECRET_ACCESS_KEY)
times: ISO 8601 (2026-01-10, 2026-01-10T12:00Z) or epoch ms; a date alone as --to means the end of that day.`

/** Parses a time option; `end` makes a bare date mean the last millisecond of that day. */
export function parseTime(v: string, end = false): number {
  if (/^\d+$/.test(v)) return Number(v)
  const date = /^\d{4}-\d{2}-\d{2}$/.test(v)
  const t = Date.parse(date ? `${v}T00:00:00Z` : v)
  if (!Number.isFinite(t)) throw new Error(`not a time: ${v}`)
  return date && end ? t + DAY - 1 : t
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<number> {
  const { values: o, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      r2: { type: 'string' },
      site: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      filter: { type: 'string', multiple: true },
      bots: { type: 'boolean' },
      limit: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      exact: { type: 'boolean' },
      tz: { type: 'string' },
    },
  })
  const [command, ...rest] = positionals
  if (o.help || !command) {
    out(USAGE)
    return command || o.help ? 0 : 2
  }
  const to = o.to ? parseTime(o.to, true) : undefined
  const from = o.from ? parseTime(o.from) : undefined
  const log = (s: string) => process.stderr.write(`footfall: ${s}\n`)

  if (command === 'query') {
    const text = rest.join(' ')
    if (!text) throw new Error('query needs SQL: footfall query "SELECT count(*) FROM events"')
    const format = (o.format ?? 'table') as Format
    const lake = await openLake({ ...o, from, to, log })
    // The CLI user's own SQL over their own lake: run as written (this is the escape hatch, not a
    // dashboard input). The library's queries below never take SQL text from input.
    out(render(await lake.run(trusted(text)), format))
    return 0
  }
  if (command === 'report') {
    if (from === undefined || to === undefined) throw new Error('report needs --from and --to')
    const range = { from, to }
    const len = to - from + 1
    const filters = (o.filter ?? []).map(parseFilter)
    // Whole local days from the aggregates unless asked for raw events (cli/aggregates.ts).
    const days = o.exact || filters.length || o.bots ? [] : await aggregateDays({ ...o, from: from - len, to })
    const cut = splitRange(range, days)
    const split = cut.agg ? { range: cut, previous: splitRange(previousPeriod(range), days) } : undefined
    // Raw events for what the aggregates do not answer (with the day around it for sessions), or everything.
    const raw = split ? [...split.range.raw, ...split.previous.raw] : [{ from: from - len, to }]
    const span = raw.length
      ? { from: Math.min(...raw.map((x) => x.from)) - DAY, to: Math.max(...raw.map((x) => x.to)) + DAY }
      : { from: 1, to: 0 }
    let lake = await openLake({ ...o, ...span, log, materialize: true })
    // A session is built from all of its events (warehouse/sql/sessions.ts): while one of the range is still
    // open at the end of the files read, read a day more (a copy on disk, --dir, is read whole already).
    const scope = { site: o.site, bots: o.bots }
    while (!o.dir && raw.length && span.to < Date.now()) {
      const [{ open }] = (await lake.run(
        sessionsOpenAt({ from: Math.min(...raw.map((x) => x.from)), to: Math.max(...raw.map((x) => x.to)) }, span.to, scope),
      )) as [{ open: number }]
      if (!open) break
      span.to += DAY
      lake.conn.closeSync()
      lake = await openLake({ ...o, ...span, log, materialize: true })
    }
    if (split) {
      const used = [split.range.agg, split.previous.agg].filter((a) => !!a)
      await loadAggregateFiles(
        lake,
        days.filter((d) => used.some((a) => d.from >= a!.from && d.to <= a!.to)).map((d) => d.path),
      )
      log(`${days.length} aggregated day(s) available; raw events for ${raw.length} part(s)`)
    }
    const opts = {
      site: o.site,
      bots: o.bots,
      filters,
      limit: o.limit ? Number(o.limit) : undefined,
      format: (o.format ?? 'table') as Format,
      split,
    }
    out(renderReport(await report(lake, range, opts), range, opts))
    return 0
  }
  if (command === 'export') {
    const format = o.format
    if (format !== 'csv' && format !== 'parquet') throw new Error('export needs --format csv or --format parquet')
    if (!o.out) throw new Error('export needs --out <file>')
    const range = { from: from ?? 0, to: to ?? Date.now() + DAY }
    const lake = await openLake({ ...o, from: range.from, to: range.to, log })
    // COPY takes no parameters: materialise the parameterised query first, then copy the table.
    const q = eventsIn(range, { site: o.site, bots: o.bots, filters: (o.filter ?? []).map(parseFilter) })
    await lake.query({ sql: `CREATE TEMP TABLE export AS ${q.sql}`, params: q.params })
    await lake.query(
      sql`COPY (SELECT * EXCLUDE (vk) FROM export ORDER BY event_time, event_id) TO ${literal(o.out)} (FORMAT ${trusted(format)})`.sql,
    )
    const [{ n }] = (await lake.query('SELECT count(*) AS n FROM export')).rows as [{ n: number }]
    log(`wrote ${n} events to ${o.out}`)
    return 0
  }
  out(USAGE)
  return 2
}
