/**
 * The tracker's core, shared by every build (script tag, core script, ESM package): builds events, queues
 * them, sends them in batches and retries what the network or the collector refused. One tracker per page:
 * module state, plain functions (smaller than an object's methods once minified).
 *
 * Wire format: `warehouse/wire.ts`. Only its types are imported: no zod reaches the browser.
 */
import type { WireBatch, WireEvent } from '../../warehouse/wire.ts'
import { engaged } from './engagement.ts'
import { send } from './transport.ts'
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

// Numbers are written inline (esbuild does not inline module constants into functions):
//   a batch is flushed when 10 events wait, or 1 s after the first one was queued;
//   a request carries at most 20 events (the wire allows 100 and 64 KB);
//   at most 100 events are kept while the collector cannot be reached (oldest dropped), also when persisted;
//   retries back off 1 s, 2 s, 4 s ... up to 60 s, unless the answer says Retry-After.
const KEY = 'footfall_queue'
// The switch of the persisted queue.
const STORE = 'persist'
/** The opt-out flag: `localStorage.footfall_ignore = 'true'` (any value) stops all tracking in this browser. */
export const OPT_OUT = 'footfall_ignore'

let c: Config | undefined
let endpoint: string
let exclude: RegExp | undefined
let queue: WireEvent[] = []
let timer: ReturnType<typeof setTimeout> | 0 = 0
let tries = 0
let userId: string | undefined
/** The page last counted (path + query, + hash in hash mode): the same page is never counted twice in a row. */
let current: string | undefined

/** Starts the tracker. Until then (or when a guard keeps it off) every function below does nothing. */
export function setup(config: Config, url: string): void {
  c = config
  endpoint = url
  // Comma-separated path patterns, `*` matching anything: "/admin/*,/preview" -> ^(/admin/.*|/preview)$.
  if (!FOOTFALL_LITE && c.exclude) exclude = RegExp(`^(${c.exclude.replace(/\*/g, '.*').replace(/,/g, '|')})$`)
  if (!FOOTFALL_LITE && STORE in c) {
    try {
      queue = JSON.parse(localStorage[KEY])
    } catch {}
    localStorage[KEY] = '[]'
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

function schedule(ms: number): void {
  // (In the core build only an idle queue schedules: there is never a timer to replace.)
  FOOTFALL_LITE || clearTimeout(timer)
  timer = setTimeout(flush, ms)
}

/** Sends what waits. `leaving`: the page is being hidden or unloaded. */
export function flush(leaving?: boolean): void {
  // A timer still pending fires a flush of whatever is queued then: harmless, so it is not cleared.
  timer = 0
  // Offline: the `online` listener flushes. A page left offline keeps its events only if persisting.
  if (!FOOTFALL_LITE && !navigator.onLine) return void (!FOOTFALL_LITE && STORE in c! && leaving && (localStorage[KEY] = JSON.stringify(queue.slice(-100))))
  while (queue.length) {
    const events = queue.splice(0, 20)
    const body = JSON.stringify({ site: c!.site!, sentAt: Date.now(), events } satisfies WireBatch)
    send(
      endpoint,
      body,
      leaving,
      FOOTFALL_LITE
        ? undefined
        : (ms) => {
            if (ms < 0) return void (tries = 0)
            queue = events.concat(queue).slice(-100)
            schedule(ms || Math.min(1e3 * 2 ** tries++, 6e4))
          },
    )
  }
}

/**
 * Queues an event of the current page. Nothing before setup() (or when a guard kept the tracker off):
 * a queued event would make the batch timer throw. Callers are wrapped in safe() (localStorage may throw).
 */
export function push(type: WireEvent['type'], extra?: Partial<WireEvent>): void {
  if (!c || localStorage[OPT_OUT] || (!FOOTFALL_LITE && exclude?.test(location.pathname))) return
  queue.push({
    id: crypto.getRandomValues(new Uint32Array(4)).join('-'), // 128 random bits: the dedupe key (works outside secure contexts, unlike randomUUID)
    type,
    ts: Date.now(),
    url: location.href,
    title: document.title,
    screen: `${screen.width}x${screen.height}`,
    language: navigator.language,
    userId,
    ...extra,
  })
  queue.length < 10 ? timer || schedule(1e3) : flush()
}

/** Counts a pageview, unless this page was the last one counted (`force`: count anyway, e.g. bfcache). */
export function page(force?: unknown): void {
  const l = location
  let key = l.pathname + l.search
  if (!FOOTFALL_LITE && c!.spa == 'hash') key += l.hash
  if (key == current && (FOOTFALL_LITE || force !== true)) return
  !FOOTFALL_LITE && current && engaged()
  current = key
  push('pageview', { referrer: document.referrer })
}

/** A custom event (`extra`: wire fields such as the clicked element). */
export const track = (name: string, props?: Props, extra?: Partial<WireEvent>): void => push('event', { name, props, ...extra })

/** Names the visitor (the site's own id) for the events that follow on this page; traits go as props. */
export function identify(id: string, traits?: Props): void {
  push('identify', { props: traits, userId: id })
  userId = id
}

/**
 * Listens on window in the capture phase, which also sees the events of the document (click,
 * visibilitychange, prerenderingchange: capture listeners of ancestors run even for events that do not
 * bubble) before any page code could stop them, without ever letting an error escape into the page.
 */
export function on(type: string, fn: (e: any) => unknown): void {
  addEventListener(type, safe(fn), true)
}

/** The function, made unable to throw: the tracker must never break the host page. */
export function safe<A extends unknown[], R>(fn: (...a: A) => R): (...a: A) => R | undefined {
  return (...a) => {
    try {
      return fn(...a)
    } catch {}
  }
}
