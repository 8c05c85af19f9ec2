/**
 * Fault injection for the reliability tests (test/reliability/faults.test.ts). Off unless the `FAULTS` var is
 * set, which only those tests do (`wrangler dev --var FAULTS:<json>`); it is read from the worker's own
 * configuration, never from a request, so no caller can turn it on. Unset, `withFaults` returns its inputs
 * untouched.
 *
 * Each fault wraps a real binding or the real queue batch, so the code under test runs unchanged:
 *   queueRefuse: n     every n-th `EVENTS.sendBatch` of events by the collector throws, as Queues does when
 *                      over its rate ("Too Many Requests"), before anything is sent
 *   r2PutFail: n       every n-th put of an events part by the consumer throws, before anything is written
 *   consumerThrow: n   every n-th queue batch of events: the consumer throws after writing its files and
 *                      before acking any message (a crash mid-batch: written, never acknowledged)
 * Counts are per isolate. Every injected fault logs one line `fault injected: <name> #<k>`, which the
 * tests count to prove it fired.
 */
import type { Env, LakeMessage } from './env.ts'

export interface Faults {
  queueRefuse?: number
  r2PutFail?: number
  consumerThrow?: number
}

const counts = { queueRefuse: 0, r2PutFail: 0, consumerThrow: 0 }
let parsed: { text: string; faults: Faults } | undefined

function faultsOf(env: Env): Faults | null {
  if (!env.FAULTS) return null
  if (parsed?.text !== env.FAULTS) parsed = { text: env.FAULTS, faults: JSON.parse(env.FAULTS) as Faults }
  return parsed.faults
}

/** True when this call is the n-th of `name` (counting every call), logging the injection. */
function hit(name: keyof typeof counts, every: number | undefined): boolean {
  if (!every) return false
  const k = ++counts[name]
  if (k % every !== 0) return false
  console.log(`fault injected: ${name} #${k}`)
  return true
}

/** `target` with `method` replaced; every other property bound to the real object. */
function wrap<T extends object>(target: T, method: PropertyKey, replacement: unknown): T {
  return new Proxy(target, {
    get(t, p) {
      if (p === method) return replacement
      const v = Reflect.get(t, p) as unknown
      return typeof v === 'function' ? v.bind(t) : v
    },
  })
}

/** The collector's environment, with the queue refusing as configured. */
export function withFetchFaults(env: Env): Env {
  const faults = faultsOf(env)
  if (!faults?.queueRefuse) return env
  const queue = env.EVENTS
  const sendBatch = async (messages: Iterable<MessageSendRequest<LakeMessage>>, options?: QueueSendBatchOptions) => {
    const list = [...messages]
    if (list.some((m) => 'events' in m.body) && hit('queueRefuse', faults.queueRefuse))
      throw new Error('Queue sendBatch failed: Too Many Requests (injected fault)')
    return queue.sendBatch(list, options)
  }
  return { ...env, EVENTS: wrap(queue, 'sendBatch', sendBatch) }
}

/** The consumer's batch and environment, with R2 writes failing and the consumer crashing as configured. */
export function withQueueFaults(batch: MessageBatch<unknown>, env: Env): [MessageBatch<unknown>, Env] {
  const faults = faultsOf(env)
  if (!faults || batch.queue.endsWith('-dlq')) return [batch, env]
  let out: [MessageBatch<unknown>, Env] = [batch, env]
  if (faults.r2PutFail) {
    const lake = env.LAKE
    const put = (key: string, ...rest: unknown[]) => {
      if (key.startsWith('events/') && hit('r2PutFail', faults.r2PutFail))
        return Promise.reject(new Error(`R2 put of ${key} failed (injected fault)`))
      return (lake.put as (...a: unknown[]) => Promise<R2Object | null>)(key, ...rest)
    }
    out = [out[0], { ...env, LAKE: wrap(lake, 'put', put) }]
  }
  if (
    faults.consumerThrow &&
    batch.messages.some((m) => typeof m.body === 'object' && m.body !== null && 'events' in m.body) &&
    hit('consumerThrow', faults.consumerThrow)
  ) {
    const crash = () => {
      throw new Error('consumer crashed mid-batch: files written, no message acknowledged (injected fault)')
    }
    const messages = batch.messages.map((m) => wrap(m, 'ack', crash))
    out = [wrap(wrap(batch, 'ackAll', crash), 'messages', messages), out[1]]
  }
  return out
}
