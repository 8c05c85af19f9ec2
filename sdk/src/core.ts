/**
 * The tracker's core, shared by every build (script tag, core script, ESM package): builds events, queues
 * them, sends them in batches and retries what the network or the collector refused.
 *
 * Wire format: `warehouse/wire.ts`. Only its types are imported: no zod reaches the browser.
 */
import type { WireBatch, WireEvent } from '../../warehouse/wire.ts'
import { FULL } from './flags.ts'
import { send } from './transport.ts'
import type { Props } from './types.ts'

export type { Props }
// Props must stay assignable to the wire's props.
const _props: (p: Props) => WireEvent['props'] = (p) => p
void _props

export interface CoreOptions {
  /** Site id, as configured in the worker's SITES. */
  site: string
  /** URL of the collector, e.g. https://stats.example.com/e */
  endpoint: string
  /** Keep unsent events in localStorage (bounded) when the page is left offline; sent from the next page. */
  persist?: boolean
  /** Paths on which nothing is tracked. */
  exclude?: RegExp
  /** Count the hash in the page's identity (hash-routed single-page apps). */
  hash?: boolean
  /** Called when the page is left (hidden, or a new page is counted), before the queue is flushed. */
  leave?: () => void
}

// Flush when 10 events wait (BATCH_SIZE), or BATCH_DELAY_MS after the first one was queued.
const BATCH_SIZE = 10
const BATCH_DELAY_MS = 1000
/** Events per request: far below the wire's 100 events and 64 KB. */
const PER_REQUEST = 20
/** Events kept while the collector cannot be reached (oldest dropped first), in memory and persisted. */
const MAX_QUEUE = 100
const MAX_BACKOFF_MS = 60_000
const STORE = 'footfall_queue'
/** The opt-out flag: `localStorage.footfall_ignore = 'true'` stops all tracking in this browser. */
export const OPT_OUT = 'footfall_ignore'

/** A tracker: queues events in memory and sends them in batches, and when the page is left. */
export function createTracker(o: CoreOptions) {
  let queue: WireEvent[] = []
  let timer: ReturnType<typeof setTimeout> | 0 = 0
  let tries = 0
  let userId: string | undefined
  /** The page last counted (path + query, + hash in hash mode): the same page is never counted twice in a row. */
  let current: string | undefined
  const store = localStorage

  if (FULL && o.persist) {
    try {
      queue = JSON.parse(store[STORE])
    } catch {}
    store[STORE] = '[]'
  }

  const schedule = (ms: number) => {
    clearTimeout(timer)
    timer = setTimeout(flush, ms)
  }

  /** Sends what waits. `leaving === true`: the page is being hidden or unloaded. */
  function flush(leaving?: unknown): void {
    clearTimeout(timer)
    timer = 0
    // Offline: the `online` listener flushes. A page left offline keeps its events only if persisting.
    if (!navigator.onLine) return void (FULL && o.persist && leaving === true && (store[STORE] = JSON.stringify(queue.slice(-MAX_QUEUE))))
    while (queue.length) {
      const events = queue.splice(0, PER_REQUEST)
      const body = JSON.stringify({ site: o.site, sentAt: Date.now(), events } satisfies WireBatch)
      send(o.endpoint, body, leaving === true, (ms) => {
        if (ms < 0) return void (tries = 0)
        queue = events.concat(queue).slice(-MAX_QUEUE)
        schedule(ms || Math.min(1e3 * 2 ** tries++, MAX_BACKOFF_MS))
      })
    }
  }

  // Callers wrap this in safe(): where localStorage throws (sandboxed frames), nothing is tracked.
  function push(type: WireEvent['type'], extra?: Partial<WireEvent>): void {
    if (store[OPT_OUT] == 'true' || (FULL && o.exclude?.test(location.pathname))) return
    queue.push({
      id: eventId(),
      type,
      ts: Date.now(),
      url: location.href,
      title: document.title,
      screen: `${screen.width}x${screen.height}`,
      language: navigator.language,
      userId,
      ...extra,
    })
    queue.length < BATCH_SIZE ? timer || schedule(BATCH_DELAY_MS) : flush()
  }

  // pagehide covers navigation and tab close; visibilitychange covers mobile tab switches, where pagehide
  // may never fire. Coming back online sends what waited.
  const leave = () => {
    FULL && o.leave?.()
    flush(true)
  }
  on(window, 'pagehide', leave)
  on(document, 'visibilitychange', () => document.visibilityState == 'hidden' && leave())
  on(window, 'online', flush)

  return {
    /** Counts a pageview, unless this page was the last one counted (`force`: count anyway, e.g. bfcache). */
    page(force?: boolean): void {
      const l = location
      const key = l.pathname + l.search + (FULL && o.hash ? l.hash : '')
      if (key == current && !force) return
      FULL && current && o.leave?.()
      current = key
      push('pageview', { referrer: document.referrer })
    },
    track: (name: string, props?: Props, extra?: Partial<WireEvent>) => push('event', { name, props, ...extra }),
    /** Names the visitor (the site's own id) for the events that follow on this page; traits go as props. */
    identify(id: string, traits?: Props): void {
      if (FULL) userId = id
      push('identify', { props: traits })
    },
    push,
    flush,
  }
}

export type Tracker = ReturnType<typeof createTracker>

/** Listens without ever letting an error escape into the host page (capture: page code cannot stop it). */
export function on(target: EventTarget, type: string, fn: (e: any) => unknown): void {
  target.addEventListener(type, safe(fn), true)
}

/** The function, made unable to throw: the tracker must never break the host page. */
export function safe<A extends unknown[], R>(fn: (...a: A) => R): (...a: A) => R | undefined {
  return (...a) => {
    try {
      return fn(...a)
    } catch {}
  }
}

/** 128 random bits as four dash-joined numbers: the event's dedupe key. Unlike randomUUID, getRandomValues
 * works outside secure contexts too. */
const eventId = (): string => crypto.getRandomValues(new Uint32Array(4)).join('-')
