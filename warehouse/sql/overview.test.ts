/** The dashboard's own SQL (what the SQL library lacks) on native DuckDB, with hand-computed answers. */
import { beforeAll, describe, expect, it } from 'vitest'
import { NativeLake } from '../native.ts'
import { displayCells, formatCell } from '../../dashboard/src/format.ts'
import { botsByReason, createDroppedRaw, droppedByReason } from './dropped.ts'
import type { ViewScope } from './view.ts'
import { customEvents } from './breakdowns.ts'
import { materialise } from './sessions.ts'
import { BUCKET_MS, BUCKETS } from './buckets.ts'
import { eventCount, eventNames, liveFeed, series, SERIES_METRICS, type SeriesMetric } from './overview.ts'
import { kpis } from './kpis.ts'
import { MINUTE as M } from '../time.ts'

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0)
let lake: NativeLake

// visitor a: /, /p, an order; b: / from google; c: a bot
const ROWS: [string, string, string, string | null, number, string, string | null, boolean][] = [
  ['e1', 'a', 'pageview', null, 0, '/', null, false],
  ['e2', 'a', 'pageview', null, 2, '/p', null, false],
  ['e3', 'a', 'event', 'order', 43, '/p', null, false],
  ['e4', 'b', 'pageview', null, 70, '/', 'google.com', false],
  ['e5', 'c', 'pageview', null, 11, '/', null, true],
]

beforeAll(async () => {
  lake = await NativeLake.open()
  await lake.conn.run(createDroppedRaw)
  for (const [id, v, type, name, min, path, ref, bot] of ROWS) {
    await lake.conn.run(
      `INSERT INTO events_raw (event_id, site, type, name, event_time, client_time, received_time, visitor_id, url, path, referrer_host, is_bot, bot_reason, country)
       VALUES ($1, 'demo', $2, $3, make_timestamp($4::BIGINT * 1000), make_timestamp($4::BIGINT * 1000), make_timestamp($4::BIGINT * 1000), $5, 'http://x' || $6, $6, $7, $8, $9, 'NZ')`,
      [id, type, name, T0 + min * M, v, path, ref, bot, bot ? 'headless' : null] as never,
    )
  }
  await lake.conn.run(`INSERT INTO dropped_raw VALUES (make_timestamp(${T0} * 1000), 'demo', 'invalid', 'url', 'bad', 3)`)
  await lake.conn.run(`INSERT INTO dropped_raw VALUES (make_timestamp(${T0} * 1000), 'demo', 'rate', NULL, 'slow down', 1)`)
})

const scope: ViewScope = { range: { from: T0, to: T0 + 120 * M - 1 }, filters: [], bots: false }

describe("the dashboard's own SQL", () => {
  it('series: every bucket, zeros included; filters and bots apply', async () => {
    const rows = await lake.run(series(scope, 'hour'))
    expect(rows.map((r) => r.pageviews)).toEqual([2, 1])
    expect((await lake.run(series({ ...scope, bots: true }, 'hour'))).map((r) => r.pageviews)).toEqual([3, 1])
    const google = await lake.run(series({ ...scope, filters: [{ dim: 'referrer_host', op: 'is', value: 'google.com' }] }, 'hour'))
    expect(google.map((r) => r.pageviews)).toEqual([0, 1])
  })

  it('series: the buckets of time_bucket, for every bucket size, before its origin too; materialised (from visitor_hours) too', async () => {
    const other = await NativeLake.open()
    const times = [
      Date.UTC(1999, 11, 30, 10, 7, 30),
      Date.UTC(2000, 0, 2, 23, 59, 59),
      Date.UTC(2000, 0, 3),
      Date.UTC(2026, 0, 4, 13, 2, 1),
      Date.UTC(2026, 0, 5, 0, 0, 0, 1),
    ]
    for (const [i, t] of times.entries())
      await other.conn.run(
        `INSERT INTO events_raw (event_id, site, type, event_time, client_time, received_time, visitor_id, url, path, is_bot)
         VALUES ('x' || $1, 'demo', 'pageview', make_timestamp($2::BIGINT * 1000), make_timestamp($2::BIGINT * 1000), make_timestamp($2::BIGINT * 1000), 'v' || $1, 'http://x/', '/', false)`,
        [i, t] as never,
      )
    // As the dashboard holds them: a table, with materialise() run (hour, day and week then read visitor_hours).
    for (const q of [
      'CREATE TABLE loaded AS SELECT * FROM events',
      'DROP VIEW events',
      'ALTER TABLE loaded RENAME TO events',
      ...materialise(),
    ])
      await other.conn.run(q)
    for (const b of ['minute', 'hour', 'day', 'week'] as const) {
      for (const [t, materialised] of times.flatMap(
        (t) =>
          [
            [t, false],
            [t, true],
          ] as const,
      )) {
        // Ranges off the hour: partial hours at both ends (from the events) around whole ones.
        const s: ViewScope = {
          range: { from: t - 3 * BUCKET_MS[b] - 1234, to: t + 3 * BUCKET_MS[b] },
          filters: [],
          bots: false,
          materialised,
        }
        const want = await other.run({
          sql: `SELECT time_bucket(INTERVAL '${BUCKETS[b]}', event_time) AS t, count(*) AS pageviews FROM events WHERE event_time BETWEEN make_timestamp($1::BIGINT * 1000) AND make_timestamp($2::BIGINT * 1000) GROUP BY t ORDER BY t`,
          params: [s.range.from, s.range.to],
        })
        const rows = (await other.run(series(s, b))).filter((r) => r.pageviews)
        expect(
          rows.map((r) => [r.t, r.pageviews]),
          `${b} around ${new Date(t).toISOString()}${materialised ? ', materialised' : ''}`,
        ).toEqual(want.map((r) => [r.t, r.pageviews]))
        expect(rows.length).toBeGreaterThan(0)
      }
    }
  })

  it('series of every KPI, per hour: visits by their start, rates NULL without a visit, bots and filters apply', async () => {
    // a: a visit of two pageviews (10:00-10:02) and one of its order alone (10:43, after the 30-minute gap); b: a bounce at 11:10.
    const of = async (m: SeriesMetric, s: ViewScope = scope) => (await lake.run(series(s, 'hour', m))).map((r) => r[m])
    expect(await of('visitors')).toEqual([1, 1])
    expect(await of('visits')).toEqual([2, 1])
    expect(await of('pageviews')).toEqual([2, 1])
    expect(await of('views_per_visit')).toEqual([1, 1])
    expect(await of('bounce_rate')).toEqual([0, 1])
    expect(await of('visit_duration_ms')).toEqual([60_000, 0])
    expect(await of('events')).toEqual([1, 0])
    expect(await of('visitors', { ...scope, bots: true })).toEqual([2, 1])
    expect(await of('bounce_rate', { ...scope, bots: true })).toEqual([1 / 3, 1])
    const google: ViewScope = { ...scope, filters: [{ dim: 'referrer_host', op: 'is', value: 'google.com' }] }
    expect(await of('visits', google)).toEqual([0, 1])
    expect(await of('bounce_rate', google)).toEqual([null, 1])
    // Every KPI's buckets add up to the KPI (visitors here too: no visitor is in both hours).
    const [k] = await lake.run(kpis(scope.range, { bots: false, filters: [] }))
    for (const m of ['visitors', 'visits', 'pageviews'] as const)
      expect(
        (await of(m)).reduce((a, b) => Number(a) + Number(b), 0),
        m,
      ).toBe(k![m])
  })

  it('custom event count, and a filter value that looks like SQL is only a value', async () => {
    expect(await lake.run(eventCount(scope))).toEqual([{ events: 1 }])
    expect(await lake.run(eventCount({ ...scope, filters: [{ dim: 'path', op: 'contains', value: "p' OR 1=1 --" }] }))).toEqual([
      { events: 0 },
    ])
  })

  it("event names: the names and order of the library's custom events", async () => {
    const names = await lake.run(eventNames(scope))
    expect(names).toEqual([{ name: 'order', events: 1 }])
    expect(names.map((r) => r.name)).toEqual((await lake.run(customEvents(scope.range, { limit: 50 }))).map((r) => r.name))
  })

  it('materialised scopes (the events as the dashboard holds them, materialise() run) answer as live ones', async () => {
    const other = await NativeLake.open()
    for (const [id, v, type, name, min, path, ref, bot] of ROWS) {
      await other.conn.run(
        `INSERT INTO events_raw (event_id, site, type, name, event_time, client_time, received_time, visitor_id, url, path, referrer_host, is_bot, bot_reason, country)
         VALUES ($1, 'demo', $2, $3, make_timestamp($4::BIGINT * 1000), make_timestamp($4::BIGINT * 1000), make_timestamp($4::BIGINT * 1000), $5, 'http://x' || $6, $6, $7, $8, $9, 'NZ')`,
        [id, type, name, T0 + min * M, v, path, ref, bot, bot ? 'headless' : null] as never,
      )
    }
    for (const q of [
      'CREATE TABLE loaded AS SELECT * FROM events',
      'DROP VIEW events',
      'ALTER TABLE loaded RENAME TO events',
      ...materialise(),
    ])
      await other.conn.run(q)
    const filtered: ViewScope = { ...scope, filters: [{ dim: 'path', op: 'is', value: '/' }] }
    for (const s of [scope, filtered, { ...scope, bots: true }]) {
      const m = { ...s, materialised: true }
      for (const metric of SERIES_METRICS)
        expect(await other.run(series(m, 'hour', metric)), metric).toEqual(await lake.run(series(s, 'hour', metric)))
      expect(await other.run(eventCount(m))).toEqual(await lake.run(eventCount(s)))
      expect(await other.run(eventNames(m))).toEqual(await lake.run(eventNames(s)))
    }
  })

  it('live feed: the last hour, newest first, bots left out', async () => {
    const feed = await lake.run(liveFeed(T0 + 80 * M, { filters: [], bots: false }))
    expect(feed.map((r) => r.path)).toEqual(['/', '/p']) // the last hour: 10:43 and 11:10
  })

  it('drop ledger and bots by reason', async () => {
    expect(await lake.run(droppedByReason(scope.range))).toEqual([
      { reason: 'invalid', field: 'url', requests: 1, events: 3 },
      { reason: 'rate', field: '', requests: 1, events: 1 },
    ])
    expect(await lake.run(botsByReason(scope.range))).toEqual([{ bot_reason: 'headless', events: 1, visitors: 1 }])
  })

  it('prints rates as percent, milliseconds as a duration, a missing first value as (none)', () => {
    expect(formatCell('bounce_rate', 1 / 3)).toBe('33.3 %')
    expect(formatCell('bounce_rate', 0.2)).toBe('20 %')
    expect(formatCell('visit_duration_ms', 83_456)).toBe('1m 23s')
    expect(formatCell('visit_duration_ms', 208_000)).toBe('3m 28s')
    expect(formatCell('visit_duration_ms', 4_000)).toBe('4s')
    expect(formatCell('visitors', 12_345)).toBe('12345')
    expect(formatCell('views_per_visit', 4 / 3)).toBe('1.33')
    expect(formatCell('t', new Date(T0))).toBe('2026-01-01 10:00:00')
    expect(displayCells(['value', 'visitors'], { value: null, visitors: 2 })).toEqual(['(none)', '2'])
  })
})
