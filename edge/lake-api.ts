/**
 * The dashboard's read API over the lake:
 *   GET /api/files?site=&from=&to=[&table=events|dropped]   which Parquet files cover a time range
 *   GET|HEAD /data/<key>             one file, with Range (206) and ETag (304) support
 */
import { Hono } from 'hono'
import { datePrefix, datesBetween, decodeMeta, TABLES, visibleObjects, type Table } from '../warehouse/lake.ts'
import type { Env } from './env.ts'
import { requireToken } from './auth.ts'

const MAX_RANGE_DAYS = 400
const DAY_MS = 86_400_000

export interface LakeFile {
  key: string
  url: string
  rows: number
  bytes: number
  minTime: string
  maxTime: string
}

export const lakeApi = new Hono<{ Bindings: Env }>()
lakeApi.use('/api/*', requireToken())
lakeApi.use('/data/*', requireToken())

lakeApi.get('/api/files', async (c) => {
  const site = c.req.query('site')
  if (!site || !/^[a-z0-9_][a-z0-9_-]*$/.test(site)) return c.json({ error: 'site is required (lowercase id)' }, 400)
  const table = (c.req.query('table') ?? 'events') as Table
  if (!TABLES.includes(table)) return c.json({ error: `table must be one of ${TABLES.join(', ')}` }, 400)
  const to = timeParam(c.req.query('to'), Date.now())
  const from = timeParam(c.req.query('from'), (to ?? Date.now()) - 7 * DAY_MS)
  if (from === null || to === null) return c.json({ error: 'from and to must be ISO 8601 times or epoch milliseconds' }, 400)
  if (from > to) return c.json({ error: 'from is after to' }, 400)
  if (to - from > MAX_RANGE_DAYS * DAY_MS) return c.json({ error: `range longer than ${MAX_RANGE_DAYS} days` }, 400)

  const files: LakeFile[] = []
  for (const date of datesBetween(new Date(from), new Date(to))) {
    // The whole date is listed before filtering: a merged file hides the parts it replaces (lake.ts), so a
    // compaction cut off at any step still lists each event once.
    const objects: R2Object[] = []
    let cursor: string | undefined
    do {
      const page = await c.env.LAKE.list({ prefix: datePrefix(site, date, table), cursor, include: ['customMetadata'] })
      objects.push(...page.objects)
      cursor = page.truncated ? page.cursor : undefined
    } while (cursor)
    for (const o of visibleObjects(objects).visible) {
      const meta = decodeMeta(o.customMetadata)
      if (!meta || meta.maxTime < from || meta.minTime > to) continue
      files.push({
        key: o.key,
        url: `/data/${o.key}`,
        rows: meta.rows,
        bytes: o.size,
        minTime: new Date(meta.minTime).toISOString(),
        maxTime: new Date(meta.maxTime).toISOString(),
      })
    }
  }
  c.header('Cache-Control', 'no-store')
  return c.json({ files })
})

lakeApi.get('/data/*', async (c) => {
  const key = decodeURIComponent(c.req.path.slice('/data/'.length))
  if (!TABLES.some((t) => key.startsWith(`${t}/`)) || !key.endsWith('.parquet') || key.includes('..')) {
    return c.json({ error: 'not a lake file' }, 404)
  }
  const headers = c.req.raw.headers
  let object: R2Object | R2ObjectBody | null
  try {
    object = await c.env.LAKE.get(key, { range: headers, onlyIf: headers })
  } catch (e) {
    return c.json({ error: `unsatisfiable range: ${(e as Error).message}` }, 416)
  }
  if (!object) return c.json({ error: 'no such file' }, 404)

  const out = new Headers()
  object.writeHttpMetadata(out)
  out.set('ETag', object.httpEtag)
  out.set('Accept-Ranges', 'bytes')
  // Lake files never change under a key (a rewrite has the same content): cache them for good.
  out.set('Cache-Control', 'private, max-age=31536000, immutable')
  if (!('body' in object)) return new Response(null, { status: 304, headers: out })

  const range = object.range as { offset?: number; length?: number } | undefined
  if (headers.has('Range') && range) {
    const start = range.offset ?? 0
    const length = range.length ?? object.size - start
    out.set('Content-Range', `bytes ${start}-${start + length - 1}/${object.size}`)
    out.set('Content-Length', String(length))
    return new Response(object.body, { status: 206, headers: out })
  }
  out.set('Content-Length', String(object.size))
  return new Response(object.body, { status: 200, headers: out })
})

function timeParam(v: string | undefined, fallback: number): number | null {
  if (v === undefined || v === '') return fallback
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v)
  return Number.isFinite(t) ? t : null
}
