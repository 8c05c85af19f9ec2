import type { WireBatch, WireEvent } from '../../warehouse/wire.ts'
import { send } from './transport.ts'

export interface TrackerOptions {
  /** Site id, as configured on the worker. */
  site: string
  /** URL of the collector, e.g. https://stats.example.com/e */
  endpoint: string
}

export type Props = NonNullable<WireEvent['props']>

// Flush when this many events wait, or this long after the first one was queued.
const BATCH_SIZE = 10
const BATCH_DELAY_MS = 1000

/** A tracker: queues events in memory and sends them in batches, and on page hide. */
export function createTracker({ site, endpoint }: TrackerOptions) {
  let queue: WireEvent[] = []
  let timer: ReturnType<typeof setTimeout> | undefined

  function flush(): void {
    clearTimeout(timer)
    timer = undefined
    if (!queue.length) return
    const batch: WireBatch = { site, sentAt: Date.now(), events: queue }
    queue = []
    send(endpoint, JSON.stringify(batch))
  }

  function push(type: WireEvent['type'], extra: Partial<WireEvent>): void {
    const d = document
    queue.push({
      id: eventId(),
      type,
      ts: Date.now(),
      url: location.href,
      referrer: d.referrer || undefined,
      title: d.title || undefined,
      screen: `${screen.width}x${screen.height}`,
      language: navigator.language,
      ...extra,
    })
    if (queue.length >= BATCH_SIZE) flush()
    else timer ??= setTimeout(flush, BATCH_DELAY_MS)
  }

  // pagehide covers navigation and tab close; visibilitychange covers mobile tab switches, where pagehide
  // may never fire.
  addEventListener('pagehide', flush)
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush())

  return {
    page: () => push('pageview', {}),
    track: (name: string, props?: Props) => push('event', { name, props }),
    flush,
  }
}

export type Tracker = ReturnType<typeof createTracker>

/** 128 random bits as hex: the event's dedupe key. getRandomValues works outside secure contexts too. */
function eventId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')
}
