/**
 * The tracker's core, shared by every build (script tag, core script, ESM package): builds events, queues
 * them, sends them in batches and retries what the network or the collector refused. One tracker per page:
 * module state, plain functions (smaller than an object's methods once minified).
 *
 * Wire format: `warehouse/wire.ts`. Only its types are imported: no zod reaches the browser.
 */
import type { WireBatch, WireEvent } from '../../warehouse/wire.ts'
import { BATCH_DELAY_MS, FLUSH_AT, MAX_PER_REQUEST } from './batching.ts'
import { begin, engaged } from './engagement.ts'
import type { Props } from './types.ts'

export type { Props }
// Props must stay assignable to the wire's props.
const _props: (p: Props) => WireEvent['props'] = (p) => p
void _props

/**
 * The configuration in the shape of the script tag's `dataset` (so the script build passes it as it is):
 * switches are present (any value) or absent; the ESM package converts its typed `Options` to this.
 */
export interface Config {
  /** Site id, as configured in the worker's SITES. */
  site?: string
  /** URL of the collector, e.g. https://stats.example.com/e (default: /e of the script's origin). */
  endpoint?: string
  /** Single-page app navigation: history (default), hash, off. */
  spa?: string
  /** Comma-separated path patterns (no spaces) where nothing is tracked; `*` matches anything (other characters are
   * regular expression syntax: a `.` matches any character, harmless in paths). */
  exclude?: string
  /** Present: keep unsent events in localStorage (at most 100) when the page is left offline. */
  persist?: string
  respectDnt?: string
  localhost?: string
  automation?: string
  /** "off" switches these off. */
  clicks?: string
  outbound?: string
  download?: string
}

// When a batch is sent (10 events waiting, or 10 s after the first, or the page left) and how many events a
// request carries: batching.ts, whose constants esbuild inlines. Other numbers are written inline (esbuild
// does not inline a module's own constants into its functions):
//   at most 100 events are kept while the collector cannot be reached (oldest dropped), also when persisted;
//   retries back off 1 s, 2 s, 4 s ... up to 60 s, unless the answer says Retry-After.
// So are the names (a shared constant costs more bytes than the repeated string, which gzip finds anyway):
//   localStorage.footfall_queue   the persisted queue, when the config has the switch `persist`;
//   localStorage.footfall_ignore  the opt-out flag: any value stops all tracking in this browser.

/** The configuration (set by setup). */
export let c: Config | undefined
let endpoint: string | URL
let queue: WireEvent[] = []
let timer: ReturnType<typeof setTimeout> | 0 = 0
let tries = 0
let userId: string | undefined
/**
 * The page last counted: its URL without the in-page anchor (with it in hash mode, where `#/route` is the
 * page), cut to the wire's 2,000 characters. The same page is never counted twice in a row; its
 * engagement is reported with this URL.
 */
export let current: string | undefined

/**
 * Starts the tracker. Until then (or when a guard keeps it off) every function below does nothing. Called
 * while the script tag runs (its `currentScript` gives the default endpoint), or by the ESM package's init
 * with an endpoint.
 */
export function setup(config: Config): void {
  c = config
  endpoint = c.endpoint || new URL('/e', (document.currentScript as HTMLScriptElement).src)
  if (!FOOTFALL_LITE && 'persist' in c) {
    try {
      queue = JSON.parse(localStorage.footfall_queue)
    } catch {}
    localStorage.footfall_queue = '[]'
  }
  // pagehide covers navigation and tab close; visibilitychange covers mobile tab switches, where pagehide
  // may never fire. Coming back online sends what waited.
  on('pagehide', leave)
  on('visibilitychange', () => document.hidden && leave())
  !FOOTFALL_LITE && on('online', () => flush())
}

function leave(): void {
  !FOOTFALL_LITE && engaged()
  flush(true)
}

/** Sends what waits. `leaving`: the page is being hidden or unloaded. Never throws (it also runs from timers). */
export const flush = safe((leaving?: boolean): void => {
  // A timer still pending fires a flush of whatever is queued then: harmless, so it is not cleared.
  timer = 0
  // Offline: the `online` listener flushes. A page left offline keeps its events only if persisting.
  if (!FOOTFALL_LITE && !navigator.onLine)
    return void ('persist' in c! && leaving && (localStorage.footfall_queue = JSON.stringify(queue.slice(-100))))
  while (queue[0]) {
    const events = queue.splice(0, MAX_PER_REQUEST)
    const body = JSON.stringify({ site: c!.site!, sentAt: Date.now(), events } satisfies WireBatch)
    // Back in the queue, sent again after `seconds` (the Retry-After header) or, when that is absent, 0 or not
    // a number (a network error passes its Error: NaN), after a backoff.
    const retry = (seconds?: unknown) => {
      queue = events.concat(queue).slice(-100)
      // (A batch timer still pending is not cleared: it flushes sooner, which is harmless.)
      timer = setTimeout(flush, 1e3 * (seconds as number) || Math.min(1e3 * 2 ** tries++, 6e4))
    }
    // Leaving the page: `sendBeacon`, which outlives the page (no outcome, so no retry: it is the last
    // chance). Otherwise, or when the beacon is refused (its 64 KB quota is shared with keepalive fetches):
    // `fetch` with keepalive, which survives a navigation that starts meanwhile and tells the outcome. The
    // body is a string, so both send it as `text/plain;charset=UTF-8`: a CORS "simple" request, no preflight.
    // Retried: network errors, 429 and 5xx (every status above 428: the collector answers no other 4xx above
    // 413); any other answer finishes the batch (a 4xx that a retry cannot fix). The answer's body is never
    // read, so garbage cannot hurt. The core build does not retry: a failed batch is dropped (quietly).
    if (!(leaving && navigator.sendBeacon(endpoint, body))) {
      const sent = fetch(endpoint, { method: 'POST', body, keepalive: true })
      FOOTFALL_LITE ? sent.catch(() => {}) : sent.then((r) => (r.status > 428 ? retry(r.headers.get('Retry-After')) : (tries = 0)), retry)
    }
  }
})

/**
 * Queues an event of the current page. Nothing before setup() (or when a guard kept the tracker off):
 * a queued event would make the batch timer throw. Never throws (localStorage may): every event path ends here.
 */
export const push = safe((type: WireEvent['type'], extra?: Partial<WireEvent>): void => {
  // Before setup (no configuration yet, or a guard kept the tracker off), reading c.exclude throws, which
  // safe() swallows: nothing is queued. Excluded paths: comma-separated patterns, `*` matching anything:
  // "/admin/*,/preview" -> ^(/admin/.*|/preview)$.
  if (
    (FOOTFALL_LITE && !c) ||
    localStorage.footfall_ignore ||
    (!FOOTFALL_LITE && c!.exclude && RegExp(`^(${c!.exclude.replace(/\*/g, '.*').replace(/,/g, '|')})$`).test(location.pathname))
  )
    return
  const n = queue.push({
    // (Field order chosen by gzip: -4 B.)
    type,
    screen: screen.width + 'x' + screen.height,
    ts: Date.now(),
    // The dedupe key: ~52 random bits (the digits of Math.random) and the client's millisecond, unique without
    // crypto's bytes (crypto.randomUUID throws outside secure contexts; getRandomValues costs 18 B gzip more).
    id: ('' + Math.random()).slice(2) + Date.now(),
    // Cut to the wire's limits (LIMITS.urlChars, titleChars), like the referrer (page) and the page's key:
    // a longer url, referrer or title would lose the event.
    url: location.href.slice(0, 2e3),
    title: document.title.slice(0, 500),
    userId,
    ...extra,
  })
  n < FLUSH_AT ? timer || (timer = setTimeout(flush, BATCH_DELAY_MS)) : flush()
})

/** Counts a pageview, unless this page was the last one counted. */
export function page(): void {
  // (A space is never in location.href: splitting on it keeps the whole URL.)
  const key = location.href.slice(0, 2e3).split(!FOOTFALL_LITE && c!.spa == 'hash' ? ' ' : '#')[0]
  if (key == current) return
  !FOOTFALL_LITE && current && engaged()
  !FOOTFALL_LITE && begin()
  current = key
  push('pageview', { referrer: document.referrer.slice(0, 2e3) })
}

/** A page restored from the back/forward cache is a new view of it (its engagement was reported on leave). */
export function restored(e: PageTransitionEvent): void {
  if (e.persisted) {
    current = ''
    page()
  }
}

/** A custom event. */
export const track = (name: string, props?: Props): void => push('event', { name, props })

/** Names the visitor (the site's own id) for the events that follow on this page; traits go as props. */
export function identify(id: string, traits?: Props): void {
  userId = id // before the push: the identify event carries it too
  push('identify', { props: traits })
}

/**
 * Listens on window in the capture phase, which also sees the events of the document (click,
 * visibilitychange, prerenderingchange: capture listeners of ancestors run even for events that do not
 * bubble) before any page code could stop them. The listeners cannot throw: what could (localStorage, the
 * JSON of a batch, the clicked element) runs in push, flush or click, each made safe() once.
 */
export function on(type: string, fn: (e: any) => unknown): void {
  addEventListener(type, fn, true)
}

/** The function, made unable to throw: the tracker must never break the host page. (A function declaration:
 * hoisted, so the module's safe() constants can use it.) */
export function safe<A extends unknown[]>(fn: (...a: A) => unknown): (...a: A) => void {
  return (...a) => {
    try {
      fn(...a)
    } catch {}
  }
}
