/**
 * Live: simulated visitors browse the demo shop through the real collector (`POST /e` of a running
 * stack), each with its own IP (CF-Connecting-IP) and user agent, one batch per page as the tracker sends
 * it when the page is left. Think times are the model's divided by `speed`; the time until a visitor comes
 * back is not: a returning visitor's next visit starts more than 30 minutes (the session gap) after the
 * last one, in real time, so a long run (npm start) has real returning visitors with several sessions.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { WireEvent } from '../../warehouse/wire.ts'
import { SESSION_GAP_MS } from '../../warehouse/session-gap.ts'
import { newVisitor, session, type Visitor } from './model.ts'
import { postBatch, Tally } from './post.ts'
import { Progress } from './progress.ts'
import { Random } from './random.ts'
import { HOUR, MINUTE } from '../../warehouse/time.ts'

export interface LiveOptions {
  /** The stack's origin, e.g. http://127.0.0.1:8787. */
  url: string
  site?: string
  seed?: string
  /** How many visits in all (Infinity: until `signal` aborts). */
  visitors: number
  /** Visitors on the site at once. */
  concurrency?: number
  /** Time compression: 20 turns a 40 s read of a page into 2 s. */
  speed?: number
  /** The shop's base URL; default `${url}/demo/`. */
  base?: string
  signal?: AbortSignal
  quiet?: boolean
  /** Sees every batch and its answer (tests). */
  onBatch?: (events: WireEvent[], status: number, visitor: Visitor) => void
}

export interface LiveResult {
  visitors: number
  requests: number
  sent: number
  accepted: number
  rejected: number
  failed: number
  problems: string[]
  seconds: number
}

const MIN_WAIT_MS = 20
const MAX_WAIT_MS = 5000

export async function live(opt: LiveOptions): Promise<LiveResult> {
  const { url, site = 'demo', seed = 'demo', visitors, concurrency = 10, speed = 20, signal, quiet } = opt
  const base = opt.base ?? `${url}/demo/`
  const sender = { url, site, origin: new URL(base).origin }
  const rng = new Random(seed)
  // Event ids must be new on every run (they are the lake's dedupe key); the content stays seeded.
  const run = `lv${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`
  let ids = 0
  const nextId = () => `${run}-${(ids++).toString(36)}`
  const tally = new Tally()
  const progress = new Progress('live', Number.isFinite(visitors) ? visitors : 0, quiet)
  let started = 0,
    finished = 0

  const returning = new Returning()
  let newVisitors = 0

  const visit = async (v: Visitor, n: number) => {
    const vr = rng.fork(`visitor-${v.index}-${n}`)
    const willReturn = vr.chance(v.loyalty * 0.5)
    const planned = session(vr, v, 0, { base, nextId })
    let previous = 0
    for (const batch of pages(planned)) {
      const lastTs = batch.at(-1)!.ts
      const wait = Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, (lastTs - previous) / speed))
      previous = lastTs
      await sleep(wait, undefined, { signal })
      const now = Date.now()
      const events = batch.map((e) => ({ ...e, ts: now - Math.round((lastTs - e.ts) / speed) }))
      const outcome = await postBatch(sender, events, { ip: v.ip, userAgent: v.userAgent }, now)
      tally.add(events.length, outcome)
      opt.onBatch?.(events, outcome.status, v)
    }
    if (willReturn) returning.add(v, n + 1, Date.now(), vr)
  }

  const next = (): [Visitor, number] => {
    const due = returning.next(Date.now())
    if (due) return due
    const index = newVisitors++
    return [newVisitor(rng.fork(`visitor-${index}`), index), 0]
  }

  const worker = async () => {
    while (started < visitors && !signal?.aborted) {
      started++
      try {
        await visit(...next())
      } catch (e) {
        if ((e as Error).name !== 'AbortError') throw e
      }
      finished++
      progress.update(finished, `accepted ${tally.accepted} rejected ${tally.rejected}`)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker))

  const seconds = progress.elapsed()
  progress.done(
    `live: ${finished} visitors, ${tally.sent} events in ${tally.requests} requests, accepted ${tally.accepted}, ` +
      `rejected ${tally.rejected}, failed requests ${tally.failed}, ${seconds.toFixed(1)} s, ${Math.round(tally.sent / seconds)} events/s` +
      (tally.problems.length ? `\n  problems: ${tally.problems.join(' | ')}` : ''),
  )
  return {
    visitors: finished,
    requests: tally.requests,
    sent: tally.sent,
    accepted: tally.accepted,
    rejected: tally.rejected,
    failed: tally.failed,
    problems: tally.problems,
    seconds,
  }
}

/** A visit's events as the tracker batches them: one batch per page, sent when it is left. */
export function pages(events: WireEvent[]): WireEvent[][] {
  const out: WireEvent[][] = []
  for (const e of events) {
    if (e.type === 'pageview' || out.length === 0) out.push([])
    out.at(-1)!.push(e)
  }
  return out
}

/** Visitors who will come back: each more than a session gap (30 minutes) after their visit ended. */
export class Returning {
  private readonly waiting: { v: Visitor; visit: number; at: number }[] = []

  constructor(private readonly max = 10_000) {}

  /** Schedules visit number `visit` of `v`, whose previous visit ended at `ended` (epoch ms). */
  add(v: Visitor, visit: number, ended: number, rng: Random): void {
    if (this.waiting.length < this.max) this.waiting.push({ v, visit, at: ended + SESSION_GAP_MS + rng.int(MINUTE, HOUR) })
  }

  /** A visitor whose time has come at `now`, with the number of their visit. */
  next(now: number): [Visitor, number] | null {
    const i = this.waiting.findIndex((r) => r.at <= now)
    if (i < 0) return null
    const [r] = this.waiting.splice(i, 1)
    return [r!.v, r!.visit]
  }
}
