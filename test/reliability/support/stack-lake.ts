/**
 * The books of the reliability tests: what the lake holds for a run's event ids, read back through the lake
 * API (/api/files, /data with the test token) by native DuckDB, compared with what the load acknowledged.
 */
import { downloadLake, listFiles } from '../../helpers/lake.ts'
import type { Stack } from '../../helpers/stack.ts'
import { DAY } from '../../../warehouse/time.ts'

export interface LakeBooks {
  /** Files /api/files lists (the visible ones: compacted files hide the parts they replace). */
  files: number
  /** Rows of the run in those files, duplicates included (`events_raw`). */
  rows: number
  /** Distinct event ids of the run in those files. */
  distinct: number
  /** Rows of the run in the deduplicated `events` view, the SQL every reader runs. */
  viewRows: number
  /** Acknowledged ids missing from the lake. */
  lost: string[]
  /** Ids stored more than once in the files, with their count. */
  duplicated: [string, number][]
}

/** Reads the lake of `stack` for the ids starting with `idPrefix`, against the acknowledged ids. */
export async function readBooks(stack: Stack, idPrefix: string, acked: Iterable<string>): Promise<LakeBooks> {
  const files = await listFiles(stack, 'demo', Date.now() - DAY, Date.now() + DAY)
  const { lake } = await downloadLake(stack, files)
  const like = [`${idPrefix}-%`]
  const [{ n_rows: rows, n_distinct: distinct }] = (await lake.run({
    sql: `SELECT count(*) AS n_rows, count(DISTINCT event_id) AS n_distinct FROM events_raw WHERE event_id LIKE ?`,
    params: like,
  })) as [{ n_rows: number; n_distinct: number }]
  const [{ n: viewRows }] = (await lake.run({ sql: `SELECT count(*) AS n FROM events WHERE event_id LIKE ?`, params: like })) as [
    { n: number },
  ]
  const dups = await lake.run({
    sql: `SELECT event_id, count(*) AS n FROM events_raw WHERE event_id LIKE ? GROUP BY event_id HAVING n > 1 ORDER BY event_id LIMIT 1000`,
    params: like,
  })
  const stored = new Set(
    (await lake.run({ sql: `SELECT DISTINCT event_id FROM events_raw WHERE event_id LIKE ?`, params: like })).map(
      (r) => r.event_id as string,
    ),
  )
  const lost = [...acked].filter((id) => !stored.has(id))
  return { files: files.length, rows, distinct, viewRows, lost, duplicated: dups.map((r) => [r.event_id as string, r.n as number]) }
}

/** Rows the lake API lists (file metadata, duplicates included), summed. */
export async function listedRows(stack: Stack): Promise<number> {
  return (await listFiles(stack, 'demo', Date.now() - DAY, Date.now() + DAY)).reduce((n, f) => n + f.rows, 0)
}

/**
 * Waits until the lake's listed rows reach `expected` and stop changing for `quietMs` (the consumer has
 * caught up, retries included). Short of `expected`, it gives up once nothing changed for 3 x `quietMs`
 * (the queue is drained: its batch timeout is 2 s), or after `ms`. Returns the listed rows.
 */
export async function waitForLakeQuiet(stack: Stack, expected: number, ms: number, quietMs = 4000): Promise<number> {
  const end = Date.now() + ms
  let last = -1
  let since = Date.now()
  for (;;) {
    const n = await listedRows(stack).catch(() => -1)
    if (n !== last) (last = n), (since = Date.now())
    if (Date.now() - since >= (n >= expected ? quietMs : 3 * quietMs)) return n
    if (Date.now() > end) return n
    await new Promise((r) => setTimeout(r, 500))
  }
}
