/**
 * The overview's first chart from pageview rollups, in real Chromium on the real local stack: a lake of four
 * closed days compacted by the compactor itself (day files + rollups, in Miniflare's R2 that wrangler dev then
 * serves). While the event downloads are held back, the chart and the pageviews KPI appear from the rollups
 * and equal native DuckDB's `series`/`kpis` on the merged files; once the events are in, the chart drawn from
 * them equals the rollup chart. With a filter the dashboard waits for the events and asks for no rollup; with
 * a range whose boundary splits a rolled-up minute it waits too and downloads no rollup.
 *
 * Then the lake a user sees on a normal day, opened with the default range (last 7 days, compared): closed days
 * compacted (day files and rollups) and the open day's hour parts, redeliveries among them. The first chart
 * comes from the rollups plus the parts (decoded, deduplicated) while the day files are held back, equals
 * native DuckDB's `series` and then the events' chart, and every lake file is requested once: the parts the
 * first chart decodes are the ones the events load uses.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page, Route } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compactDate, type LakeBucket } from '../../warehouse/compact.ts'
import { encodeMeta, partitionOf, partKey, partName } from '../../warehouse/lake.ts'
import type { NativeLake } from '../../warehouse/native.ts'
import { timeRange, writeEvents } from '../../warehouse/parquet.ts'
import { SCHEMA_VERSION, type EventRow } from '../../warehouse/schema.ts'
import { bucketFor } from '../../warehouse/sql/buckets.ts'
import { kpis } from '../../warehouse/sql/kpis.ts'
import { eventRow } from '../../warehouse/testing/rows.ts'
import { formatCell } from '../../dashboard/src/format.ts'
import { series } from '../../warehouse/sql/overview.ts'
import { parseState, previousOf, rangeOf } from '../../dashboard/src/state.ts'
import { launchChromium } from '../helpers/browser.ts'
import { downloadLake, listFiles } from '../helpers/lake.ts'
import { freePort, stackVars, type Stack } from '../helpers/stack.ts'
import { startWranglerDev } from '../../scripts/wrangler-dev.mjs'
import { DAY } from '../../warehouse/time.ts'

const FIRST = Date.UTC(2026, 1, 8) // Feb 8..11: the range is Feb 10-11, its previous period Feb 8-9
const RANGE = { from: FIRST + 2 * DAY, to: FIRST + 4 * DAY - 1 }
const TOKEN = 'test-token'
/** The lake of a normal day: parts from the midnight before (now - 6 h) to now; the 9 days before, closed. */
const NOW = Date.now()
const OPEN = Math.floor((NOW - 6 * 3_600_000) / DAY) * DAY
const CLOSED = OPEN - 9 * DAY
let stack: Stack
let native: NativeLake
let nativeNow: NativeLake
let keys: string[]

/** Four days of events in hourly parts (redelivered batches among them), compacted into day files and rollups. */
async function seedLake(persistTo: string): Promise<string[]> {
  const written = await seedFeb(persistTo)
  await seedNow(persistTo)
  return written
}

/** Writes the events as the consumer does: one part per hour partition of each batch of `batch` events. */
async function putParts(r2: LakeBucket, rows: EventRow[], batch: number, redeliver: (b: number) => EventRow[]) {
  for (let b = 0; b < rows.length; b += batch) {
    const byHour = new Map<string, EventRow[]>()
    for (const e of rows.slice(b, b + batch).concat(redeliver(b)))
      byHour.set(partitionOf('demo', e.event_time).hour, [...(byHour.get(partitionOf('demo', e.event_time).hour) ?? []), e])
    for (const part of byHour.values()) {
      await r2.put(partKey(partitionOf('demo', part[0]!.event_time), await partName(part.map((e) => e.event_id))), writeEvents(part), {
        httpMetadata: { contentType: 'application/vnd.apache.parquet' },
        customMetadata: encodeMeta({ rows: part.length, ...timeRange(part), schema: SCHEMA_VERSION }),
      })
    }
  }
}

/** Closed days CLOSED..OPEN compacted (day files and rollups); OPEN..NOW in parts, as the consumer left them. */
async function seedNow(persistTo: string): Promise<void> {
  const { Miniflare } = await import('miniflare')
  const mf = new Miniflare({
    modules: true,
    script: 'export default {}',
    r2Buckets: ['footfall-lake'],
    r2Persist: join(persistTo, 'v3/r2'),
  })
  try {
    const r2 = (await mf.getR2Bucket('footfall-lake')) as unknown as LakeBucket
    const event = (n: number, t: number, i: number) =>
      eventRow({
        event_id: `n${n}`,
        event_time: t,
        received_time: t + 500,
        type: i % 6 === 5 ? 'event' : 'pageview',
        name: i % 6 === 5 ? 'signup' : null,
        visitor_id: `w${(n * 31) % 300}`,
        path: `/p${i % 9}`,
        is_bot: i % 17 === 0,
        bot_reason: i % 17 === 0 ? 'ua' : null,
      })
    const closed: EventRow[] = []
    for (let i = 0; i < 6000; i++)
      closed.push(event(i, CLOSED + Math.floor((((i * 7919) % 6000) / 6000) * (OPEN - CLOSED)) + (i % 13) * 1111, i))
    await putParts(r2, closed, 500, () => [])
    for (let d = CLOSED; d < OPEN; d += DAY) {
      // Compaction's `now` days later: every one of these days is closed, whatever the time of the run.
      await compactDate(r2, 'demo', new Date(d).toISOString().slice(0, 10), {
        now: OPEN + 3 * DAY,
        settledAt: Date.now() + 1000,
        maxRows: 1200,
      })
    }
    // The open day(s): 2,000 events up to two minutes ago; one batch in four redelivered in part, later.
    const span = NOW - 2 * 60_000 - OPEN
    const open = Array.from({ length: 2000 }, (_, i) => event(10_000 + i, OPEN + Math.floor((((i * 4409) % 2000) / 2000) * span), i))
    await putParts(r2, open, 100, (b) =>
      b % 400 === 0 && b ? open.slice(b - 30, b).map((e) => ({ ...e, received_time: e.received_time + 60_000 })) : [],
    )
  } finally {
    await mf.dispose()
  }
}

/** Four days of February in hourly parts (redelivered batches among them), compacted into day files and rollups. */
async function seedFeb(persistTo: string): Promise<string[]> {
  const { Miniflare } = await import('miniflare')
  const mf = new Miniflare({
    modules: true,
    script: 'export default {}',
    r2Buckets: ['footfall-lake'],
    r2Persist: join(persistTo, 'v3/r2'),
  })
  try {
    const r2 = (await mf.getR2Bucket('footfall-lake')) as unknown as LakeBucket
    let n = 0
    for (let d = 0; d < 4; d++) {
      const rows: EventRow[] = []
      for (let i = 0; i < 1500 + d * 300; i++, n++) {
        const t = FIRST + d * DAY + Math.floor((((i * 7919) % 1500) / 1500) * DAY) + (i % 13) * 1111
        rows.push(
          eventRow({
            event_id: `r${n}`,
            event_time: t,
            type: i % 6 === 5 ? 'event' : 'pageview',
            name: i % 6 === 5 ? 'signup' : null,
            visitor_id: `v${(n * 31) % 400}`,
            path: `/p${i % 9}`,
            is_bot: i % 17 === 0,
            bot_reason: i % 17 === 0 ? 'ua' : null,
          }),
        )
      }
      // Every third batch redelivers part of the one before: duplicates across parts.
      await putParts(r2, rows, 200, (b) => (b && b % 600 === 0 ? rows.slice(b - 50, b) : []))
    }
    const written: string[] = []
    for (let d = 0; d < 4; d++) {
      const date = new Date(FIRST + d * DAY).toISOString().slice(0, 10)
      written.push(...(await compactDate(r2, 'demo', date, { now: FIRST + 10 * DAY, settledAt: Date.now() + 1000, maxRows: 1200 })).written)
    }
    return written
  } finally {
    await mf.dispose()
  }
}

beforeAll(async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'footfall-rollups-'))
  const persistTo = join(stateDir, 'state')
  // Written before wrangler dev starts: Miniflare's R2 state is not shared between two live processes.
  keys = await seedLake(persistTo)
  const dev = await startWranglerDev({ port: await freePort(), persistTo, vars: stackVars(TOKEN) })
  stack = { ...dev, token: TOKEN, stateDir }
  const files = await listFiles(stack, 'demo', FIRST, FIRST + 4 * DAY - 1)
  native = (await downloadLake(stack, files)).lake
  nativeNow = (await downloadLake(stack, await listFiles(stack, 'demo', CLOSED, NOW + DAY))).lake
})
afterAll(async () => {
  await stack?.stop()
})

/**
 * A page whose event file downloads (by default; else those `hold` matches) wait until `release()`;
 * `requests` lists every lake API request.
 */
async function heldPage(browser: BrowserContext, hold = /\/data\/events\//) {
  const page = await browser.newPage()
  const held: Route[] = []
  const requests: string[] = []
  let released = false
  page.on('request', (r) => {
    if (/\/(api\/files|data\/)/.test(r.url())) requests.push(r.url())
  })
  await page.route(hold, (route) => (released ? route.continue() : void held.push(route)))
  return {
    page,
    held,
    requests,
    release: async () => {
      released = true
      await Promise.all(held.splice(0).map((r) => r.continue()))
    },
  }
}

const url = (range: { from: number; to: number }, more = '') =>
  `${stack.url}/dashboard/?range=custom&from=${new Date(range.from).toISOString()}&to=${new Date(range.to).toISOString()}${more}#token=${TOKEN}`

/** The chart's buckets ("YYYY-MM-DD HH:MM:SS", pageviews) and the previous period's values, from its data list. */
async function chartOf(page: Page, source: 'rollups' | 'events', compared = false) {
  const sel = `[data-testid=timeseries][data-source=${source}] [data-testid=chart]`
  // The events' chart is drawn once the range's series is in; the previous period's line may follow.
  await page.waitForSelector(compared ? `${sel} li [data-line="1"]` : `${sel} canvas`, { timeout: 90_000 })
  return page.$eval(sel, (fig) => {
    const lis = [...fig.querySelectorAll<HTMLElement>('li[data-t]')]
    const prev = lis.map((li) => li.querySelector<HTMLElement>('[data-line="1"]')?.dataset.value)
    return {
      bars: lis.map((li) => [li.dataset.t!, Number(li.querySelector<HTMLElement>('[data-line="0"]')!.dataset.value)]),
      previous: prev.every((v) => v === undefined) ? null : prev.join(','),
    }
  })
}

async function nativeSeries(range: { from: number; to: number }, bots: boolean, lake = native) {
  const rows = await lake.run(series({ range, filters: [], bots }, bucketFor(range)))
  return rows.map((r) => [(r.t as Date).toISOString().slice(0, 19).replace('T', ' '), r.pageviews])
}

describe('first chart from pageview rollups', () => {
  it('the lake holds compacted day files, each with a rollup', async () => {
    expect(keys.length).toBeGreaterThanOrEqual(8) // maxRows 1,200: at least two files a day
    const res = await fetch(`${stack.url}/api/files?site=demo&rollups=1&from=${FIRST}&to=${FIRST + 4 * DAY - 1}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    })
    const { files } = (await res.json()) as { files: { key: string; rollup?: { key: string } }[] }
    expect(files.map((f) => f.key).sort()).toEqual([...keys].sort())
    expect(files.every((f) => f.rollup?.key === f.key.replace(/^events\//, 'rollups/'))).toBe(true)
  })

  it("draws the chart and pageviews from rollups before any event file is downloaded, equal to native DuckDB and then to the events' chart", async () => {
    const browser = await launchChromium()
    try {
      const { page, held, requests, release } = await heldPage(browser)
      await page.goto(url(RANGE, '&compare=1'))
      const early = await chartOf(page, 'rollups')
      // Not one event file has arrived: the chart came from the rollups alone.
      expect(held.length).toBeGreaterThan(0)
      expect(await page.$('[data-testid=load-stats]')).toBeNull()
      expect(requests.some((u) => u.includes('/data/rollups/'))).toBe(true)
      const want = await nativeSeries(RANGE, false)
      expect(want.length).toBe(48) // by hour
      expect(early.bars).toEqual(want)
      expect(early.previous).not.toBeNull()
      const [k] = await native.run(kpis(RANGE, { bots: false }))
      expect(await page.textContent('[data-testid=kpi-pageviews]')).toBe(formatCell('pageviews', Number(k!.pageviews)))
      // Every other number waits for the events.
      expect(await page.textContent('[data-testid=kpi-visitors]')).toBe('…')
      expect(await page.$('[data-testid=top-pages]')).toBeNull()

      await release()
      await page.waitForSelector('[data-testid=load-stats]', { timeout: 90_000 })
      // Bars and the previous period's line (the events' `series` of Feb 8-9) alike.
      const late = await chartOf(page, 'events', true)
      expect(late).toEqual(early)
      expect((await nativeSeries(previousOf(RANGE), false)).reduce((n, [, v]) => n + (v as number), 0)).toBeGreaterThan(0)
      await page.waitForSelector('[data-testid=kpis][data-state=ready]', { timeout: 90_000 })
      expect(await page.textContent('[data-testid=kpi-pageviews]')).toBe(formatCell('pageviews', Number(k!.pageviews)))
    } finally {
      await browser.close()
    }
  })

  it('counts bots from the rollups when bots are included', async () => {
    const browser = await launchChromium()
    try {
      const { page, held, release } = await heldPage(browser)
      await page.goto(url(RANGE, '&bots=1'))
      const early = await chartOf(page, 'rollups')
      expect(held.length).toBeGreaterThan(0)
      const want = await nativeSeries(RANGE, true)
      expect(early.bars).toEqual(want)
      expect(want).not.toEqual(await nativeSeries(RANGE, false))
      await release()
      expect(await chartOf(page, 'events')).toEqual(early)
    } finally {
      await browser.close()
    }
  })

  it('waits for the events with a filter (asking for no rollup), or a range whose boundary splits a rolled-up minute (downloading none)', async () => {
    for (const [range, more] of [
      [RANGE, '&f=path:is:%2Fp1'],
      [{ from: RANGE.from + 30_000, to: RANGE.to }, ''],
    ] as const) {
      // A fresh browser each time: nothing in Cache Storage, so the event files are downloaded (and held).
      const browser = await launchChromium()
      try {
        const { page, held, requests, release } = await heldPage(browser)
        await page.goto(url(range, more))
        await expect.poll(() => held.length, { timeout: 60_000 }).toBeGreaterThan(0)
        await page.waitForTimeout(1000)
        expect(await page.$('[data-testid=chart]')).toBeNull()
        // With a filter rollups are not even listed; off a minute they are, and the listing shows the boundary
        // inside a rolled-up file: nothing is downloaded for the first chart.
        expect(requests.some((u) => (more && u.includes('rollups=1')) || u.includes('/data/rollups/'))).toBe(false)
        await release()
        const late = await chartOf(page, 'events')
        expect(late.bars.length).toBeGreaterThan(0)
      } finally {
        await browser.close()
      }
    }
  })
})

describe("first chart from rollups and the open day's parts, default range", () => {
  it("the lake holds closed day files with rollups and the open day's hour parts, redeliveries among them", async () => {
    const res = await fetch(`${stack.url}/api/files?site=demo&rollups=1&from=${CLOSED}&to=${NOW + DAY}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    })
    const { files } = (await res.json()) as { files: { key: string; rows: number; rollup?: { key: string } }[] }
    const parts = files.filter((f) => /\/hour=\d\d\//.test(f.key))
    expect(parts.length).toBeGreaterThan(10)
    expect(parts.every((f) => !f.rollup && Date.parse(f.key.match(/date=([^/]+)/)![1]!) >= OPEN)).toBe(true)
    const days = files.filter((f) => !parts.includes(f))
    expect(days.length).toBeGreaterThanOrEqual(9)
    expect(days.every((f) => f.rollup && Date.parse(f.key.match(/date=([^/]+)/)![1]!) < OPEN)).toBe(true)
    const [k] = await nativeNow.run({ sql: 'SELECT (SELECT count(*) FROM events_raw) AS raw, count(*) AS n FROM events', params: [] })
    expect(Number(k!.raw)).toBeGreaterThan(Number(k!.n)) // duplicates across parts
  })

  it("draws the chart from rollups and parts while the day files are held, equal to native DuckDB and then to the events' chart; each file requested once", async () => {
    const browser = await launchChromium()
    try {
      // Hold the compacted day files only: the first chart needs the rollups and the parts.
      const { page, held, requests, release } = await heldPage(browser, /\/data\/events\/site=demo\/date=[^/]+\/\d\d-\d\d-/)
      await page.goto(`${stack.url}/dashboard/?compare=1#token=${TOKEN}`)
      const early = await chartOf(page, 'rollups')
      expect(held.length).toBeGreaterThan(0)
      expect(await page.$('[data-testid=load-stats]')).toBeNull()
      expect(requests.some((u) => u.includes('/data/rollups/'))).toBe(true)
      expect(requests.some((u) => /\/data\/events\/.*\/hour=/.test(u))).toBe(true)
      // The range the page drew: the default (7 days) at the page's `now`, whole minutes.
      const range = rangeOf(parseState('?compare=1'), Number(await page.getAttribute('main', 'data-now')))
      expect(range.to + 1).toBeGreaterThan(NOW)
      const want = await nativeSeries(range, false, nativeNow)
      expect(want.length).toBe(7) // by day: the last 7 days, today's included, from a midnight
      expect(early.bars).toEqual(want)
      // The open day's parts count (their day's bar), so do the closed days' rollups.
      const sum = (rows: typeof want) => rows.reduce((n, [, v]) => n + (v as number), 0)
      expect(sum(want.filter(([t]) => Date.parse(`${(t as string).replace(' ', 'T')}Z`) >= OPEN))).toBeGreaterThan(0)
      expect(sum(want.filter(([t]) => Date.parse(`${(t as string).replace(' ', 'T')}Z`) < OPEN))).toBeGreaterThan(0)
      expect(early.previous).not.toBeNull()
      const [k] = await nativeNow.run(kpis(range, { bots: false }))
      expect(Number(k!.pageviews)).toBeGreaterThan(0)
      expect(await page.textContent('[data-testid=kpi-pageviews]')).toBe(formatCell('pageviews', Number(k!.pageviews)))

      await release()
      await page.waitForSelector('[data-testid=load-stats]', { timeout: 90_000 })
      const late = await chartOf(page, 'events', true)
      const lateRange = rangeOf(parseState('?compare=1'), Number(await page.getAttribute('main', 'data-now')))
      // The same range unless a minute passed between the page's start and its load (then: native's answer).
      if (lateRange.from === range.from) expect(late).toEqual(early)
      else expect(late.bars).toEqual(await nativeSeries(lateRange, false, nativeNow))
      await page.waitForSelector('[data-testid=kpis][data-state=ready]', { timeout: 90_000 })
      // Each lake file once: the parts the first chart decoded were not downloaded again for DuckDB.
      const data = requests.filter((u) => u.includes('/data/'))
      expect(data.length).toBe(new Set(data).size)
      const listed = await listFiles(stack, 'demo', previousOf(lateRange).from, lateRange.to)
      expect(
        data
          .filter((u) => u.includes('/data/events/'))
          .map((u) => decodeURIComponent(new URL(u).pathname))
          .sort(),
      ).toEqual(listed.map((f) => f.url).sort())
    } finally {
      await browser.close()
    }
  })

  it('downloads each part once when the first chart and the events load want it at the same time', async () => {
    const browser = await launchChromium()
    try {
      // The parts are held until the events load has fetched every day file and come to the parts itself.
      const { page, held, requests, release } = await heldPage(browser, /\/data\/events\/.*\/hour=/)
      await page.goto(`${stack.url}/dashboard/?compare=1#token=${TOKEN}`)
      const days = (await listFiles(stack, 'demo', CLOSED, NOW + DAY)).filter((f) => !f.key.includes('/hour='))
      await expect
        .poll(() => requests.filter((u) => /\/data\/events\/site=demo\/date=[^/]+\/\d\d-\d\d-/.test(u)).length, { timeout: 60_000 })
        .toBe(days.length)
      await page.waitForTimeout(1500)
      expect(held.length).toBeGreaterThan(0)
      await release()
      await page.waitForSelector('[data-testid=load-stats]', { timeout: 90_000 })
      const data = requests.filter((u) => u.includes('/data/'))
      expect(data.length).toBe(new Set(data).size)
      const range = rangeOf(parseState('?compare=1'), Number(await page.getAttribute('main', 'data-now')))
      await page.waitForSelector('[data-testid=kpis][data-state=ready]', { timeout: 90_000 })
      const [k] = await nativeNow.run(kpis(range, { bots: false }))
      expect(await page.textContent('[data-testid=kpi-pageviews]')).toBe(formatCell('pageviews', Number(k!.pageviews)))
    } finally {
      await browser.close()
    }
  })
})
