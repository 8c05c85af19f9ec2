// The counting wrapper of `npm run cost` (bench/cost.mjs): a worker (edge/index.ts, or another commit's with
// --base) with every billable operation counted as Cloudflare bills it, measured on the running local stack.
// It lives in bench/, never in the deployed worker: bench/cost.mjs writes an entry module that wraps the
// worker under test (`export default metered(worker)`) and runs it on `wrangler dev`.
//
// The real bindings stay underneath (Miniflare's Queues and R2): each call is counted, then passed on.
//   Worker invocations  fetch by route (/e, /api/files, /api/aggregates, /data/, other), queue() batches,
//                       scheduled() runs; static assets never reach the worker (free on Cloudflare)
//   Queues              per message, per 64 KB chunk (a KB is 1,000 bytes, plus ~100 bytes of metadata):
//                       a write per send, a read per delivery (each retry is a new delivery), a delete per
//                       acknowledged message; retries and dead letters apart; the bodies' JSON bytes (what
//                       a Pipelines stream would take in, docs/pipelines.md)
//   R2                  Class A (put, list, multipart), Class B (get, head), deletes (free), bytes written,
//                       each by the kind of key (raw part, hour file, day file, rollup, aggregate, ...)
// `GET /__meter` answers the counts so far (it is not counted); `GET /__meter?stored` also lists the bucket
// (uncounted) for the bytes stored by kind of key.
type Counts = Record<string, number>

const counts: Counts = {}
const add = (key: string, n = 1) => void (counts[key] = (counts[key] ?? 0) + n)

/** The kind of a lake key, as the cost model prices it (warehouse/lake.ts's layout). */
export function keyKind(key: string): string {
  if (/^events\/.*\/hour=\d\d\/merged-/.test(key)) return 'events-hour'
  if (/^events\/.*\/hour=\d\d\//.test(key)) return 'events-part'
  if (/^events\/.*\/date=[^/]+\/\d\d-\d\d-/.test(key)) return 'events-day'
  if (/^dropped\/.*\/hour=\d\d\//.test(key)) return 'dropped-part'
  return key.split('/')[0] || 'other'
}

// A queue message's size as Queues bills it: its body's JSON plus ~100 bytes of metadata, per 64 KB chunk.
const bytesOf = (body: unknown) => new TextEncoder().encode(JSON.stringify(body) ?? '').byteLength
const chunks = (body: unknown) => Math.max(1, Math.ceil((bytesOf(body) + 100) / 64_000))

function meterQueue(queue: Queue, name: string): Queue {
  return new Proxy(queue, {
    get(t, p) {
      if (p === 'send')
        return async (body: unknown, o?: QueueSendOptions) => {
          await t.send(body, o)
          add(`queue.${name}.messages`)
          add(`queue.${name}.write`, chunks(body))
          add(`queue.${name}.bytes`, bytesOf(body))
        }
      if (p === 'sendBatch')
        return async (list: Iterable<MessageSendRequest>, o?: QueueSendBatchOptions) => {
          const msgs = [...list]
          await t.sendBatch(msgs, o)
          add(`queue.${name}.sendBatch`)
          add(`queue.${name}.messages`, msgs.length)
          for (const m of msgs) add(`queue.${name}.write`, chunks(m.body)), add(`queue.${name}.bytes`, bytesOf(m.body))
        }
      const v = Reflect.get(t, p) as unknown
      return typeof v === 'function' ? v.bind(t) : v
    },
  })
}

function meterBucket(bucket: R2Bucket, phase: string): R2Bucket {
  return new Proxy(bucket, {
    get(t, p) {
      const v = Reflect.get(t, p) as unknown
      if (typeof v !== 'function') return v
      const fn = v.bind(t) as (...a: unknown[]) => unknown
      switch (p) {
        case 'put':
          return async (key: string, value: unknown, ...rest: unknown[]) => {
            const r = (await fn(key, value, ...rest)) as R2Object | null
            add(`r2.${phase}.A.put.${keyKind(key)}`)
            if (r) add(`r2.${phase}.bytesWritten.${keyKind(key)}`, r.size)
            return r
          }
        case 'list':
          return async (o?: R2ListOptions) => {
            add(`r2.${phase}.A.list.${keyKind(o?.prefix ?? '')}`)
            return fn(o)
          }
        case 'createMultipartUpload':
          return async (key: string, ...rest: unknown[]) => (add(`r2.${phase}.A.multipart.${keyKind(key)}`), fn(key, ...rest))
        case 'get':
        case 'head':
          return async (key: string, ...rest: unknown[]) => (add(`r2.${phase}.B.${String(p)}.${keyKind(key)}`), fn(key, ...rest))
        case 'delete':
          return async (keys: string | string[]) => {
            const list = Array.isArray(keys) ? keys : [keys]
            add(`r2.${phase}.free.delete`, list.length)
            return fn(keys)
          }
        default:
          return fn
      }
    },
  })
}

/** The environment with every Queue and R2 binding counted, attributed to `phase` (fetch, queue, scheduled). */
function meterEnv<E extends object>(env: E, phase: string): E {
  const out = { ...env } as Record<string, unknown>
  for (const [name, v] of Object.entries(env)) {
    if (v && typeof v === 'object' && 'sendBatch' in v) out[name] = meterQueue(v as Queue, name)
    else if (v && typeof v === 'object' && 'put' in v && 'list' in v && 'head' in v) out[name] = meterBucket(v as R2Bucket, phase)
  }
  return out as E
}

function route(path: string): string {
  if (path === '/e') return 'e'
  if (path.startsWith('/api/')) return path.slice(1).replace(/\//g, '-')
  if (path.startsWith('/data/')) return 'data'
  return 'other'
}

/** Every object of the bucket, summed by kind of key (uncounted: the cost of storing, not of listing). */
async function stored(bucket: R2Bucket): Promise<Counts> {
  const out: Counts = {}
  let cursor: string | undefined
  do {
    const page = await bucket.list({ cursor, limit: 1000 })
    for (const o of page.objects) {
      const kind = keyKind(o.key)
      out[`stored.bytes.${kind}`] = (out[`stored.bytes.${kind}`] ?? 0) + o.size
      out[`stored.objects.${kind}`] = (out[`stored.objects.${kind}`] ?? 0) + 1
    }
    cursor = page.truncated ? page.cursor : undefined
  } while (cursor)
  return out
}

export function metered<E extends object>(worker: ExportedHandler<E>): ExportedHandler<E> {
  return {
    async fetch(req, env, ctx) {
      const url = new URL(req.url)
      if (url.pathname === '/__meter') {
        const lake = (env as { LAKE?: R2Bucket }).LAKE
        return Response.json({ ...counts, ...(url.searchParams.has('stored') && lake ? await stored(lake) : {}) })
      }
      add(`worker.fetch.${route(url.pathname)}`)
      const res = await worker.fetch!(req as Request<unknown, IncomingRequestCfProperties>, meterEnv(env, 'fetch'), ctx)
      add(`worker.fetch.${route(url.pathname)}.status${res.status}`)
      return res
    },
    async queue(batch, env, ctx) {
      const name = batch.queue
      add(`worker.queue`)
      add(`worker.queue.${name}`)
      const settled = new Map<string, 'ack' | 'retry'>()
      const messages = batch.messages.map((m) => {
        add(`queue.${name}.read`, chunks(m.body))
        add(`queue.${name}.delivered`)
        if (m.attempts > 1) add(`queue.${name}.redelivered`)
        return new Proxy(m, {
          get(t, p) {
            if (p === 'ack') return () => (settled.has(t.id) || settled.set(t.id, 'ack'), t.ack())
            if (p === 'retry') return (o?: QueueRetryOptions) => (settled.has(t.id) || settled.set(t.id, 'retry'), t.retry(o))
            const v = Reflect.get(t, p) as unknown
            return typeof v === 'function' ? v.bind(t) : v
          },
        })
      })
      const all = (how: 'ack' | 'retry') => {
        for (const m of batch.messages) if (!settled.has(m.id)) settled.set(m.id, how)
      }
      const wrapped = new Proxy(batch, {
        get(t, p) {
          if (p === 'messages') return messages
          if (p === 'ackAll') return () => (all('ack'), t.ackAll())
          if (p === 'retryAll') return (o?: QueueRetryOptions) => (all('retry'), t.retryAll(o))
          const v = Reflect.get(t, p) as unknown
          return typeof v === 'function' ? v.bind(t) : v
        },
      })
      try {
        await worker.queue!(wrapped, meterEnv(env, 'queue'), ctx)
        all('ack') // returning without an explicit outcome acknowledges the rest
      } catch (e) {
        all('retry') // a throw retries every message not settled
        throw e
      } finally {
        for (const m of batch.messages) {
          if (settled.get(m.id) === 'ack') add(`queue.${name}.delete`, chunks(m.body))
          else add(`queue.${name}.retried`)
        }
      }
    },
    async scheduled(controller, env, ctx) {
      add('worker.scheduled')
      await worker.scheduled!(controller, meterEnv(env, 'scheduled'), ctx)
    },
  }
}
