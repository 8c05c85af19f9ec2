// The materialised variant (`materialise()` builds `visitor_keys`, `visitor_hours`, `custom_events` and
// `visits` once per load; scopes with `materialised: true` read them): every query must answer exactly what
// it answers without it, on native DuckDB and on DuckDB-WASM, over the shop (warehouse/testing/shop.ts)
// plus visits across midnight with the salt rotation, a duplicate in another file, a late event and bots.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Row } from '../native.ts'
import { openEngines, writeLake, type Engines } from '../testing/lake.ts'
import { eventRow } from '../testing/rows.ts'
import { at, DAY_D, shopFiles } from '../testing/shop.ts'
import { breakdown, customEvents, eventProps, propKeys, SESSION_FIELDS, sessionBreakdown } from './breakdowns.ts'
import { DAY, HOUR, type Scope } from './events.ts'
import { funnel } from './funnels.ts'
import { kpis } from './kpis.ts'
import { orders } from './orders.ts'
import type { Query, Range } from './query.ts'
import { categoriesLastHour, devicesNow, latestVisitors, liveVisitors, sessionsLast8h, topPagesLastHour } from './realtime.ts'
import { freshVisitors, materialise, materialiseNew, sessions } from './sessions.ts'
import { users } from './users.ts'
import { HOUR_DIMENSIONS } from './visitor-hours.ts'
import { sessionWindow, tumbling, windows } from './windows.ts'

let db: Engines

const pv = (id: string, visitor: string, t: number, path: string, over = {}) =>
  eventRow({ event_id: id, visitor_id: visitor, event_time: t, client_time: t, received_time: t + 50, path, ...over })

beforeAll(async () => {
  const midnight = [
    pv('m1', 'c', at(0, 23, 50), '/c1', { country: 'NZ' }),
    pv('m2', 'd-old', at(0, 23, 55), '/d1', { country: 'NZ' }),
    pv('m3', 'c', at(1, 0, 10), '/c2'),
    // d's id changed with the salt at midnight; visitor_id_prev links it to d-old.
    pv('m4', 'd-new', at(1, 0, 5), '/d2', { visitor_id_prev: 'd-old' }),
    pv('m5', 'd-new', at(1, 1), '/d3'),
    pv('m6', 'e', at(1, 0, 10), '/e1', { visitor_id_prev: 'nobody' }),
    pv('m7', 'b2', at(1, 2), '/', { is_bot: true, bot_reason: 'headless' }),
    // Properties a pair-by-pair parse could get wrong: a value that looks like a pair, escapes, a key no
    // dimension can name, empty, null, boolean and number values.
    pv('m9', 'e', at(1, 0, 20), '/e2', {
      type: 'event',
      name: 'purchase',
      props: { currency: 'E,"currency":"X"}\\', 'we"ird,': '{', 'a:b': 'c"d', e: '', n: null, t: true, x: 1.5 },
    }),
  ]
  // m3 redelivered in another file; a late event bridging two of c's sessions on day D+1.
  const again = [pv('m3', 'c', at(1, 0, 10), '/c2'), pv('m8', 'c', at(1, 0, 35), '/late', { received_time: at(1, 5) })]
  db = await openEngines(await writeLake([...shopFiles(), midnight, again]))
  // The dashboard holds the deduplicated events as a table (`materialise()` adds a column to it), not a view.
  for (const s of [
    'CREATE TABLE loaded AS SELECT * FROM events',
    'DROP VIEW events',
    'ALTER TABLE loaded RENAME TO events',
    ...materialise(),
  ]) {
    await db.native.conn.run(s)
    db.wasm.conn.query(s)
  }
}, 60_000)

/** Both engines, with and without `materialised`: four equal answers. */
async function same(q: (o: Scope) => Query, o: Scope = {}): Promise<Row[]> {
  const live = await db.run(q(o))
  const mat = await db.run(q({ ...o, materialised: true }))
  expect(live.wasm).toEqual(live.native)
  expect(mat.native).toEqual(live.native)
  expect(mat.wasm).toEqual(live.native)
  return live.native
}

const ranges: [string, Range][] = [
  ['day D', DAY_D],
  ['day D+1', { from: DAY_D.to + 1, to: DAY_D.to + DAY }],
  ['D-1 to D+1', { from: DAY_D.from - DAY, to: DAY_D.to + DAY }],
  ['an hour at midnight', { from: at(0, 23, 30), to: at(1, 0, 30) }],
  // Partial hours at both ends around whole ones (visitor_hours: the whole hours pre-aggregated, the ends from the events).
  ['partial hours at both ends', { from: at(0, 9, 5) + 500, to: at(1, 0, 7) }],
]
const scopes: [string, Scope][] = [
  ['default', {}],
  ['bots', { bots: true }],
  ['a filter', { filters: [{ dim: 'country', op: 'is', value: 'DE' }] }],
  ['site', { site: 'demo' }],
]

describe('materialised sessions answer as the live queries', () => {
  for (const [rn, r] of ranges)
    for (const [sn, s] of scopes)
      it(`${rn}, ${sn}: KPIs, breakdowns, session breakdowns, custom events, properties`, async () => {
        const [k] = await same((o) => kpis(r, o), s)
        if (rn === 'day D' && sn === 'default') expect([k!.visitors, k!.visits, k!.pageviews]).toEqual([6, 7, 11]) // the shop's 4, 5, 9 and c, d
        for (const f of SESSION_FIELDS) await same((o) => sessionBreakdown(r, f, o), s)
        await same((o) => breakdown(r, 'path', { ...o, type: 'pageview' }), s)
        for (const d of [...HOUR_DIMENSIONS, 'referrer'] as const) await same((o) => breakdown(r, d, o), s)
        await same((o) => customEvents(r, o), s)
        await same((o) => propKeys(r, 'purchase', o), s)
        for (const key of ['currency', 'a:b', 'e', 'n', 't', 'x']) await same((o) => eventProps(r, 'purchase', key, o), s)
      }, 60_000)

  it('reads tricky property values and keys pair by pair as the live query reads them', async () => {
    const r = { from: at(1, 0), to: at(1, 1) }
    expect((await same((o) => eventProps(r, 'purchase', 'currency', o))).map((x) => x.value)).toEqual(['E,"currency":"X"}\\'])
    expect((await same((o) => eventProps(r, 'purchase', 'a:b', o))).map((x) => x.value)).toEqual(['c"d'])
    expect((await same((o) => propKeys(r, 'purchase', o))).map((x) => x.key).sort()).toEqual(['a:b', 'currency', 'e', 'n', 't', 'x'])
  })

  it('visits across midnight and the salt rotation are one visitor (the chain), as live', async () => {
    const r = { from: at(0, 23, 30), to: at(1, 0, 30) }
    const [k] = await same((o) => kpis(r, o))
    // c (one session across midnight), d-old/d-new (one visitor, one session), e.
    expect([k!.visitors, k!.visits]).toEqual([3, 3])
  })

  it('funnels, orders, windows, users and realtime, unchanged', async () => {
    const steps = [
      { where: [{ dim: 'path' as const, op: 'is' as const, value: '/' }] },
      { where: [{ dim: 'name' as const, op: 'is' as const, value: 'purchase' }] },
    ]
    await same((o) => funnel(DAY_D, steps, { ...o, within: 'session' }))
    await same((o) => funnel(DAY_D, steps, { ...o, within: { minutes: 60 } }))
    await same((o) => orders(DAY_D, { ...o, orderEvent: 'purchase' }))
    await same((o) => windows(DAY_D, tumbling(HOUR), { ...o, by: ['country'] }))
    await same((o) => windows(DAY_D, sessionWindow(30 * 60_000), o))
    await same((o) => users(DAY_D, o))
    const now = at(1, 1, 30)
    for (const q of [liveVisitors, sessionsLast8h, devicesNow, topPagesLastHour, latestVisitors, categoriesLastHour])
      await same((o) => q(now, o))
  }, 60_000)

  it('the sessions of visits equal the live sessions, ids (session_id, vid) aside', async () => {
    const all = { from: DAY_D.from - DAY, to: DAY_D.to + DAY }
    const strip = (rows: Row[]) => rows.map(({ session_id: _, ...r }) => r)
    const live = await db.native.run(sessions(all, { lookbackMs: 0 }))
    const table = await db.native.run({ sql: 'SELECT * EXCLUDE (vid) FROM visits ORDER BY start_time, session_id', params: [] })
    expect(strip(table)).toEqual(strip(live))
    expect(table.length).toBeGreaterThan(5)
  })

  // New events arrive after the others were loaded and materialised: the dashboard merges them into `events`
  // (their `vid` NULL), then runs `materialiseNew()`.
  const later: [string, string][] = [
    // c's events after midnight (one late), d-new (links to d-old, loaded earlier), u1's last two.
    [
      'new events link to loaded ones',
      `event_id IN ('m3', 'm4', 'm5', 'm8') OR event_id IN (SELECT event_id FROM events WHERE visitor_id = 'u1' ORDER BY event_time DESC LIMIT 2)`,
    ],
    // d-old's event before midnight comes after d-new's (a range extended into the past): d-new's key changes.
    ['earlier events of a loaded chain', `event_id IN ('m1', 'm2')`],
  ]
  for (const [name, held] of later)
    it(`updating after new events (only the visitors they touch) gives what building from scratch gives: ${name}`, async () => {
      const table = 'SELECT * EXCLUDE (vid) FROM visits ORDER BY session_id'
      // Each visit's number is its key's.
      const misnumbered = 'SELECT count(*) AS n FROM visits v LEFT JOIN visitor_ids i USING (vk) WHERE v.vid IS DISTINCT FROM i.vid'
      const keys = 'SELECT * FROM visitor_keys ORDER BY v'
      // visitor_hours by visitor key (numbers may differ).
      const hours = 'SELECT i.vk, h.* EXCLUDE (vid) FROM visitor_hours h JOIN visitor_ids i USING (vid) ORDER BY ALL'
      // (Lists as text: DuckDB-WASM returns them as Arrow vectors.)
      const custom = `SELECT i.vk, c.event_time, c.name, c.prop_keys::VARCHAR AS prop_keys, c.prop_values::VARCHAR AS prop_values
  FROM custom_events c JOIN visitor_ids i USING (vid) ORDER BY ALL`
      // vid numbers may differ from a full build's; the events each number groups must be the key's.
      const groups = (
        key: string,
      ) => `SELECT string_agg(event_id, ',' ORDER BY event_id) AS ids FROM (SELECT e.*, coalesce(k.root, e.visitor_id, 'event:' || e.event_id) AS vk
  FROM events e LEFT JOIN visitor_keys k ON k.v = e.visitor_id WHERE NOT e.is_bot) GROUP BY ${key} ORDER BY ids`
      const steps = [
        `CREATE OR REPLACE TABLE held AS SELECT * EXCLUDE (vid) FROM events WHERE ${held}`,
        `DELETE FROM events WHERE event_id IN (SELECT event_id FROM held)`,
        ...materialise(),
        freshVisitors('held'),
        `INSERT INTO events BY NAME SELECT * FROM held`,
        ...materialiseNew(),
      ]
      for (const [engine, exec, run] of [
        ['native', (q: string) => db.native.conn.run(q), (q: string) => db.native.run({ sql: q, params: [] })],
        ['wasm', async (q: string) => void db.wasm.conn.query(q), (q: string) => db.wasm.run({ sql: q, params: [] })],
      ] as const) {
        for (const q of materialise()) await exec(q)
        const [whole, wholeKeys, byKey, wholeHours, wholeCustom] = [
          await run(table),
          await run(keys),
          await run(groups('vk')),
          await run(hours),
          await run(custom),
        ]
        expect(await run(groups('vid')), engine).toEqual(byKey)
        for (const q of steps) await exec(q)
        expect(await run(table), engine).toEqual(whole)
        expect(await run(keys), engine).toEqual(wholeKeys)
        expect(await run(groups('vid')), engine).toEqual(byKey)
        expect(await run(hours), engine).toEqual(wholeHours)
        expect(await run(custom), engine).toEqual(wholeCustom)
        expect(await run(misnumbered), engine).toEqual([{ n: 0 }])
        expect(await run('SELECT count(*) AS n FROM events WHERE vid IS NULL AND NOT is_bot'), engine).toEqual([{ n: 0 }])
        expect(whole.length).toBeGreaterThan(5)
        expect(wholeHours.length).toBeGreaterThan(5)
        expect(wholeCustom.length).toBeGreaterThan(1)
      }
      // The queries of materialised scopes still answer as the live ones.
      const r = { from: DAY_D.from - DAY, to: DAY_D.to + DAY }
      await same((o) => kpis(r, o))
      await same((o) => breakdown(r, 'path', { ...o, type: 'pageview' }))
      await same((o) => sessionBreakdown(r, 'entry_page', o))
      await same((o) => breakdown(r, 'country', o))
      await same((o) => customEvents(r, o))
      await same((o) => eventProps(r, 'purchase', 'currency', o))
    })
})
