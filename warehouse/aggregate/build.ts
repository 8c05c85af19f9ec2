/**
 * Aggregation of one local day, in plain TypeScript (the Worker's cron has no DuckDB): events stream in,
 * time-ordered, from 30 minutes before the day (to tell a session that began before it) until every session
 * begun in the day has ended (or one day past it, as far as the SQL library looks); `finish()` gives the
 * rows of `AGGREGATE_COLUMNS`.
 *
 * The figures are those of the SQL library over the raw events (warehouse/sql: the golden tests hold them
 * to it): canonical visitors across the salt rotation (`visitor_id_prev`), sessions cut by the 30-minute gap
 * per visitor in (time, event id) order, a session belonging to the day it starts in and built from all of
 * its events, bounce = exactly one pageview and no custom event (`isBounce`), entry and exit = first and last pageview.
 *
 * Memory is bounded by the open sessions and the distinct (visitor, value) pairs of the day, held as numbers
 * in flat arrays, not by the events: one input file is held at a time (job.ts).
 *
 * With `by` (a slice dimension, columns.ts) the same pass gives the rows of every filter `<by> is <value>`:
 * an event counts in the slice of its own value of `by` (none when it has none), a session in the slice of
 * each value its events carry, as the SQL library's `hit` and `bool_or(hit)` count a filtered range.
 */
import { PROP_KEY_RE, PROP_PAIR_RE } from '../sql/dimensions.ts'
import { SESSION_GAP_MS } from '../session-gap.ts'
import { isBounce } from '../sql/sessions.ts'
import { DAY } from '../time.ts'
import { AGGREGATE_COLUMNS, EVENT_DIMS, QUARTER_MS, SLICE_COLUMNS, SOURCE_COLUMNS, VISIT_DIMS, type SliceDim } from './columns.ts'
import { Sketch } from './hll.ts'

/** One input chunk, column-wise: the columns of `INPUT_COLUMNS` (times as epoch ms). */
export type Chunk = Record<string, readonly unknown[]>

interface Session {
  start: number
  last: number
  vid: number
  pageviews: number
  events: number
  entry: string | null
  exit: string | null
  source: (string | null)[] // SOURCE_COLUMNS of the first event
  /** The slices its events fall in (with `by`; without, every session counts in the one slice, 0). */
  hits: number[]
}

/** Distinct (visitor, value) pairs of one dimension, as numbers `vid * 2^21 + value`, for exact visitor counts. */
class Pairs {
  private list: number[] = []
  private lastValue: Int32Array = new Int32Array(1024).fill(-1)
  add(vid: number, value: number) {
    if (vid >= this.lastValue.length) {
      const grown = new Int32Array(Math.max(vid + 1, this.lastValue.length * 2)).fill(-1)
      grown.set(this.lastValue)
      this.lastValue = grown
    }
    // Most visitors keep one value (their country, browser): repeats are skipped before they are stored.
    if (this.lastValue[vid] === value) return
    this.lastValue[vid] = value
    this.list.push(vid * VALUE_SPACE + value)
  }
  /** Distinct visitors per value index. */
  counts(values: number): Int32Array {
    const out = new Int32Array(values)
    const sorted = Float64Array.from(this.list).sort()
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out[sorted[i]! % VALUE_SPACE]!++
    return out
  }
}
const VALUE_SPACE = 2 ** 24

/** The rows of one dimension: (slice, value) pairs interned, counters per pair. */
class Dim {
  private readonly index = new Map<number, Map<string | null, number>>()
  readonly values: (string | null)[] = []
  readonly slices: number[] = []
  readonly pairs = new Pairs()
  readonly pageviews: number[] = []
  readonly events: number[] = []
  readonly visits: number[] = []
  readonly bounces: number[] = []
  readonly duration: number[] = []
  readonly visitPageviews: number[] = []
  constructor(
    readonly dim: string,
    readonly name: string | null = null,
    readonly key: string | null = null,
  ) {}
  of(value: string | null, slice: number): number {
    let inSlice = this.index.get(slice)
    if (!inSlice) this.index.set(slice, (inSlice = new Map()))
    let i = inSlice.get(value)
    if (i === undefined) {
      i = this.values.length
      if (i >= VALUE_SPACE) throw new Error(`more than ${VALUE_SPACE} values of ${this.dim} in a day`)
      inSlice.set(value, i)
      this.values.push(value)
      this.slices.push(slice)
      this.pageviews.push(0),
        this.events.push(0),
        this.visits.push(0),
        this.bounces.push(0),
        this.duration.push(0),
        this.visitPageviews.push(0)
    }
    return i
  }
}

/** A custom event kept until the end of the day: its properties are counted once every key of its name is known. */
interface CustomEvent {
  name: string
  vid: number
  props: string | null
  slice: number
}

export interface DayOptions {
  /** The local day as a UTC range (inclusive ms; zone.ts `localDay`). */
  from: number
  to: number
  gapMs?: number
  /** Slices by this dimension's values instead of the day's rows (`finish` gives `SLICE_COLUMNS`). */
  by?: SliceDim
}

export class DayAggregator {
  readonly from: number
  readonly to: number
  readonly gap: number
  readonly by: SliceDim | undefined
  private readonly sliceIndex = new Map<string, number>()
  private readonly sliceValues: string[] = []
  private readonly slicePairs = new Pairs() // (visitor, slice): each slice's distinct visitors
  private readonly roots = new Map<string, string>() // visitor id -> canonical key (salt rotation)
  private readonly vids = new Map<string, number>() // canonical key -> visitor number
  private readonly open = new Map<number, Session>()
  private readonly seenInDay: Uint8Array[] = [new Uint8Array(1 << 16)]
  private readonly sketch = new Sketch()
  private dayVisitors = 0
  private readonly quarters = new Dim('quarter')
  private readonly dims = new Map<string, Dim>()
  private readonly customs: CustomEvent[] = []
  private time = -Infinity // the latest event time seen

  constructor(o: DayOptions) {
    this.from = o.from
    this.to = o.to
    this.gap = o.gapMs ?? SESSION_GAP_MS
    this.by = o.by
  }

  /** The slice of an event's value of `by` (-1: it has none, so it matches no filter); 0 without `by`. */
  private sliceOf(c: Chunk, i: number): number {
    if (this.by === undefined) return 0
    const v = c[this.by]![i] as string | null | undefined
    if (v === null || v === undefined) return -1
    let s = this.sliceIndex.get(v)
    if (s === undefined) this.sliceIndex.set(v, (s = this.sliceValues.length)), this.sliceValues.push(v)
    return s
  }

  /**
   * Where events are read first: from the gap before the day to one day after it. A session of the day still
   * open at its end is followed further, however long it lasts (the SQL library builds a session from all
   * of its events): the job reads the next dates until `done`.
   */
  get window(): { from: number; to: number } {
    return { from: this.from - this.gap, to: this.to + DAY }
  }

  /** True once no later event can change the day: past its end, with no session of the day still open. */
  get done(): boolean {
    if (this.time <= this.to) return false
    for (const s of this.open.values()) if (s.start >= this.from && s.start <= this.to && this.time - s.last <= this.gap) return false
    return true
  }

  /** Whether a session of the day may go on past `t`: its last event no more than the gap before it. */
  openAt(t: number): boolean {
    for (const s of this.open.values()) if (s.start >= this.from && s.start <= this.to && t - s.last <= this.gap) return true
    return false
  }

  private dim(dim: string, name: string | null = null, key: string | null = null): Dim {
    const id = name === null ? dim : `${dim}\u0000${name}\u0000${key ?? ''}`
    let d = this.dims.get(id)
    if (!d) this.dims.set(id, (d = new Dim(dim, name, key)))
    return d
  }

  private vidOf(key: string): number {
    let v = this.vids.get(key)
    if (v === undefined) this.vids.set(key, (v = this.vids.size))
    return v
  }

  /**
   * Adds a chunk of events: deduplicated, sorted by (event_time, event_id), later than every earlier chunk.
   * Bots are skipped (aggregates answer the bot-free views).
   */
  add(c: Chunk): void {
    const time = c.event_time as number[],
      ids = c.event_id as string[],
      type = c.type as string[],
      bot = c.is_bot as boolean[]
    const visitor = c.visitor_id as (string | null)[],
      prev = c.visitor_id_prev as (string | null)[]
    const { from, to } = this
    const win = this.window
    for (let i = 0; i < time.length; i++) {
      const t = time[i]!
      if (bot[i] === true || t < win.from) continue
      this.time = t
      // The canonical key: a visitor id continues the id it had before the salt rotation (events.ts).
      const v = visitor[i]
      let key: string
      if (v === null || v === undefined) key = `event:${ids[i]}`
      else {
        let root = this.roots.get(v)
        if (root === undefined) {
          const p = prev[i]
          root = p && p !== v ? (this.roots.get(p) ?? p) : v
          this.roots.set(v, root)
        }
        key = root
      }
      const vid = this.vidOf(key)
      const s = this.session(vid, t, c, i)
      const ty = type[i]
      const path = (c.path![i] as string | null) ?? null
      if (ty === 'pageview') {
        s.pageviews++
        if (path !== null) (s.entry ??= path), (s.exit = path)
      } else if (ty === 'event') s.events++
      const slice = this.sliceOf(c, i)
      if (slice < 0) continue
      if (!s.hits.includes(slice)) s.hits.push(slice)
      if (t < from || t > to) continue
      // The event counts in the day (in its slice).
      if (this.by !== undefined) this.slicePairs.add(vid, slice)
      else if (!this.seen(vid)) {
        this.dayVisitors++
        this.sketch.add(key)
      }
      const q = this.quarters.of(String(Math.floor((t - from) / QUARTER_MS)), slice)
      if (ty === 'pageview') {
        this.quarters.pageviews[q]!++
        const d = this.dim('path'),
          x = d.of(path, slice)
        d.pageviews[x]!++, d.events[x]!++, d.pairs.add(vid, x)
      }
      if (ty === 'event') {
        this.quarters.events[q]!++
        const name = (c.name![i] as string | null) ?? null
        const d = this.dim('event'),
          x = d.of(name, slice)
        d.events[x]!++, d.pairs.add(vid, x)
        if (name !== null) this.customs.push({ name, vid, props: propsText(c.props![i]), slice })
      }
      for (const col of EVENT_DIMS) {
        const d = this.dim(col),
          x = d.of((c[col]![i] as string | null) ?? null, slice)
        d.events[x]!++, d.pairs.add(vid, x)
        if (ty === 'pageview') d.pageviews[x]!++
      }
    }
    this.sweep()
  }

  /** Whether visitor `vid` already counted in the day (and marks it). */
  private seen(vid: number): boolean {
    const page = vid >>> 16
    while (this.seenInDay.length <= page) this.seenInDay.push(new Uint8Array(1 << 16))
    const bits = this.seenInDay[page]!
    const was = bits[vid & 0xffff] === 1
    bits[vid & 0xffff] = 1
    return was
  }

  /** The visitor's session that event `i` (at `t`) belongs to: the open one within the gap, else a new one. */
  private session(vid: number, t: number, c: Chunk, i: number): Session {
    const s = this.open.get(vid)
    if (s && t - s.last <= this.gap) {
      s.last = t
      return s
    }
    if (s) this.close(s)
    const n: Session = {
      start: t,
      last: t,
      vid,
      pageviews: 0,
      events: 0,
      entry: null,
      exit: null,
      source: SOURCE_COLUMNS.map((col) => (c[col]![i] as string | null) ?? null),
      hits: [],
    }
    this.open.set(vid, n)
    return n
  }

  /** Closes the sessions no later event can continue. */
  private sweep(): void {
    for (const s of this.open.values()) if (this.time - s.last > this.gap) this.close(s), this.open.delete(s.vid)
  }

  private close(s: Session): void {
    if (s.start < this.from || s.start > this.to) return
    const bounce = isBounce(s.pageviews, s.events) ? 1 : 0
    const duration = s.last - s.start
    const quarter = String(Math.floor((s.start - this.from) / QUARTER_MS))
    for (const slice of s.hits) {
      const count = (d: Dim, value: string | null) => {
        const x = d.of(value, slice)
        d.visits[x]!++, (d.bounces[x]! += bounce), (d.duration[x]! += duration), (d.visitPageviews[x]! += s.pageviews)
        return x
      }
      count(this.quarters, quarter)
      for (const field of VISIT_DIMS) {
        const value = field === 'entry_page' ? s.entry : field === 'exit_page' ? s.exit : s.source[SOURCE_COLUMNS.indexOf(field)]!
        const d = this.dim(`visit:${field}`)
        d.pairs.add(s.vid, count(d, value))
      }
    }
  }

  /**
   * The day's rows, column-wise in `AGGREGATE_COLUMNS` order; with `by`, every slice's rows in
   * `SLICE_COLUMNS` order, by slice value. Call once, after the last chunk.
   */
  finish(): unknown[][] {
    for (const s of this.open.values()) this.close(s)
    this.open.clear()
    this.countProps()
    const day = this.from
    const slices = this.by === undefined ? [0] : this.sliceValues.map((_, i) => i)
    const bySlice: Record<string, unknown>[][] = slices.map(() => [])
    const q = this.quarters
    const totals = slices.map(() => ({ pageviews: 0, events: 0, visits: 0, bounces: 0, duration_ms: 0, visit_pageviews: 0 }))
    const order = q.values.map((v, i) => [Number(v), i] as const).sort((a, b) => a[0] - b[0])
    for (const [n, i] of order) {
      const r = {
        pageviews: q.pageviews[i]!,
        events: q.events[i]!,
        visits: q.visits[i]!,
        bounces: q.bounces[i]!,
        duration_ms: q.duration[i]!,
        visit_pageviews: q.visitPageviews[i]!,
      }
      const total = totals[q.slices[i]!]!
      for (const k in total) total[k as keyof typeof total] += r[k as keyof typeof r]
      bySlice[q.slices[i]!]!.push({ day, dim: 'quarter', t: this.from + n * QUARTER_MS, ...r })
    }
    const sliceVisitors = this.by === undefined ? Int32Array.of(this.dayVisitors) : this.slicePairs.counts(slices.length)
    slices.forEach((sl) => {
      const visitors = sliceVisitors[sl]!
      const sketch = this.by === undefined && visitors ? this.sketch.toText() : null
      bySlice[sl]!.unshift({ day, dim: 'all', visitors, sketch, ...totals[sl] })
    })
    for (const d of this.dims.values()) {
      const visitors = d.pairs.counts(d.values.length)
      const visit = d.dim.startsWith('visit:')
      d.values.forEach((value, i) => {
        const row: Record<string, unknown> = { day, dim: d.dim, name: d.name, key: d.key, value, visitors: visitors[i] }
        if (visit)
          Object.assign(row, {
            visits: d.visits[i],
            bounces: d.bounces[i],
            duration_ms: d.duration[i],
            visit_pageviews: d.visitPageviews[i],
          })
        else
          Object.assign(row, {
            events: d.events[i],
            ...(d.dim === 'event' || d.dim === 'prop' || d.dim === 'propkey' ? {} : { pageviews: d.pageviews[i] }),
          })
        bySlice[d.slices[i]!]!.push(row)
      })
    }
    if (this.by === undefined) return AGGREGATE_COLUMNS.map((c) => bySlice[0]!.map((r) => r[c.name] ?? null))
    // Slices by value, so that a reader can find one slice's rows by the row groups' statistics.
    const rows = slices
      .sort((a, b) => (this.sliceValues[a]! < this.sliceValues[b]! ? -1 : 1))
      .flatMap((sl) => bySlice[sl]!.map((r): Record<string, unknown> => ({ ...r, fdim: this.by, fvalue: this.sliceValues[sl] })))
    return SLICE_COLUMNS.map((c) => rows.map((r) => r[c.name] ?? null))
  }

  /**
   * Property values of the custom events (`eventProps`: the value of a key's first pair, NULL where the
   * event has no such key) and the keys seen (`propKeys`: every pair counted), as the SQL library reads the
   * props text (dimensions.ts).
   */
  private countProps(): void {
    const keysOf = new Map<string, Set<string>>() // by slice and name
    const named = (e: CustomEvent) => `${e.slice}\u0000${e.name}`
    const parsed = this.customs.map((e) => {
      const pairs = e.props === null ? [] : [...e.props.matchAll(PAIR)].map((m) => [m[1]!, m[2]!] as const)
      let keys = keysOf.get(named(e))
      if (!keys) keysOf.set(named(e), (keys = new Set()))
      for (const [k] of pairs) {
        const key = k.slice(1, -1)
        const d = this.dim('propkey', e.name),
          x = d.of(key, e.slice)
        d.events[x]!++
        if (KEY.test(key)) keys.add(key)
      }
      return pairs
    })
    this.customs.forEach((e, i) => {
      const first = new Map<string, string>()
      for (const [k, v] of parsed[i]!) if (!first.has(k)) first.set(k, v)
      for (const key of keysOf.get(named(e))!) {
        const written = first.get(JSON.stringify(key))
        const d = this.dim('prop', e.name, key),
          x = d.of(written === undefined ? null : propValue(written), e.slice)
        d.events[x]!++, d.pairs.add(e.vid, x)
      }
    })
    this.customs.length = 0
  }
}

const PAIR = new RegExp(PROP_PAIR_RE, 'g')
const KEY = new RegExp(`^${PROP_KEY_RE}$`)

/** The props JSON text as the lake holds it (the writer's JSON.stringify of the object). */
function propsText(v: unknown): string | null {
  if (v === null || v === undefined) return null
  return typeof v === 'string' ? v : JSON.stringify(v)
}

/** A value as `propValue` in dimensions.ts reads it: quotes off, \" \\ \/ read back, '' and null as NULL. */
function propValue(written: string): string | null {
  const text = written.replace(/^"(.*)"$/s, '$1').replace(/\\(["\\/])/g, '$1')
  return text === '' || text === 'null' ? null : text
}
