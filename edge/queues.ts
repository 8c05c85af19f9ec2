/**
 * The event queues of a deployment. One queue takes about 5,000 messages a second (its sends throw "Too
 * Many Requests" above that), and the collector sends one message per request and partition (enqueue.ts):
 * past that rate the events spread over several queues, each a producer binding of wrangler.toml named
 * EVENTS, EVENTS_2, EVENTS_3, ... and each consumed by this worker (consumer.ts reads any of them alike).
 *
 * A partition (site, UTC date and hour of the event time) always goes to the same queue, chosen by a hash of
 * it: a site's hour is written by one queue's consumer, and the load of many sites and hours spreads evenly.
 * One site in one hour is therefore at most one queue's rate.
 */
import type { Env, LakeMessage } from './env.ts'

const EXTRA = /^EVENTS_(\d+)$/

/** EVENTS, then EVENTS_2, EVENTS_3, ... in order of their number. */
export function eventQueues(env: Env): Queue<LakeMessage>[] {
  const extra = Object.keys(env)
    .map((k) => [k, EXTRA.exec(k)?.[1]] as const)
    .filter((x): x is readonly [string, string] => x[1] !== undefined)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map(([k]) => (env as unknown as Record<string, Queue<LakeMessage>>)[k]!)
  return [env.EVENTS, ...extra]
}

/** Which of `n` queues takes the partition (FNV-1a of site, date and hour): the same one every time. */
export function queueIndex(site: string, date: string, hour: string, n: number): number {
  if (n <= 1) return 0
  let h = 0x811c9dc5
  for (const ch of `${site}\n${date}\n${hour}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193)
  return (h >>> 0) % n
}
