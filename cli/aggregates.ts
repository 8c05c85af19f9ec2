/**
 * The aggregate tier for the CLI (warehouse/aggregate): `report` answers the whole local days of its range
 * from the aggregate files and reads raw events only for the rest, as the dashboard does; `--exact` (and any
 * filter or `--bots`) reads raw events only.
 * - `--dir`: the files under `aggregates/site=<s>/` of the copy, in the zone `--tz` (default UTC): each
 *   day's own file or its month's (warehouse/aggregate/months.ts);
 * - `--url`: the stack's `/api/aggregates` (the site's own zone), each file cached on disk by key;
 * - `--r2`: none (raw events).
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, relative, sep } from 'node:path'
import type { NativeLake } from '../warehouse/native.ts'
import { localDay } from '../warehouse/aggregate/zone.ts'
import { currentAggregates } from '../warehouse/aggregate/months.ts'
import { AGGREGATES } from '../warehouse/sql/aggregates.ts'
import { createAggregates } from '../warehouse/sql/ddl.ts'
import type { SourceOptions } from './source.ts'
import { DAY } from '../warehouse/time.ts'

/** A local day with its aggregate file on disk, and its UTC range. */
export interface AggregateDay {
  date: string
  path: string
  from: number
  to: number
}

/** The site's aggregated days, oldest first. */
export async function aggregateDays(o: SourceOptions & { tz?: string }): Promise<AggregateDay[]> {
  const site = o.site ?? 'demo'
  let tz = o.tz ?? 'UTC'
  let files: { date: string; path: string }[] = []
  if (o.dir) {
    const root = join(o.dir, 'aggregates', `site=${site}`)
    const found = (await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile())
    // The copy's files as a listing (modification time for upload time): each day's current file, its own or its month's.
    const objects = await Promise.all(
      found.map(async (e) => {
        const path = join(e.parentPath, e.name)
        const s = await stat(path)
        return { key: relative(o.dir!, path).split(sep).join('/'), size: s.size, uploaded: s.mtime }
      }),
    )
    files = (await currentAggregates(objects, tz)).map((d) => ({ date: d.date, path: join(o.dir!, d.key) }))
  } else if (!o.r2) {
    const base = (o.url ?? 'http://127.0.0.1:8787').replace(/\/$/, '')
    const headers = { Authorization: `Bearer ${o.token ?? process.env.FOOTFALL_TOKEN ?? 'footfall-dev'}` }
    // The local dates of the span (a day either side holds them in any zone), not the site's whole history.
    const date = (t: number) => new Date(t).toISOString().slice(0, 10)
    const dates = o.from !== undefined && o.to !== undefined ? `&from=${date(o.from - DAY)}&to=${date(o.to + DAY)}` : ''
    const res = await fetch(`${base}/api/aggregates?site=${encodeURIComponent(site)}${dates}`, { headers })
    if (!res.ok) return []
    const listed = (await res.json()) as { tz: string; days: { date: string; key: string; url: string; bytes: number }[] }
    tz = listed.tz
    const cache = o.cache ?? join(homedir(), '.cache', 'footfall', new URL(base).host.replace(/[^\w.-]/g, '_'))
    for (const d of listed.days) {
      const path = join(cache, d.key)
      if (
        !(await stat(path).then(
          (s) => s.size === d.bytes,
          () => false,
        ))
      ) {
        const r = await fetch(base + d.url, { headers })
        if (!r.ok) throw new Error(`${d.url}: ${r.status}`)
        await mkdir(join(path, '..'), { recursive: true })
        await writeFile(path, new Uint8Array(await r.arrayBuffer()))
      }
      files.push({ date: d.date, path })
    }
  }
  return files.sort((a, b) => a.date.localeCompare(b.date)).map((f) => ({ ...f, ...localDay(f.date, tz) }))
}

/** Loads aggregate files into the `aggregates` table, each once (a month's file holds several days). */
export async function loadAggregateFiles(lake: NativeLake, all: readonly string[]): Promise<void> {
  const paths = [...new Set(all)]
  await lake.query(createAggregates)
  await lake.append(AGGREGATES, { parquet: paths })
}
