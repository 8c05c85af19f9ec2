// @ts-check
// `npm run bench:aggregate`: the cron's aggregation of one local day (warehouse/aggregate), in Node, as the
// Worker runs it (plain TypeScript, no DuckDB): the shop's traffic backfilled for three days of `--events`
// events each (examples/generator, day files as compaction leaves them) into an in-memory bucket, then the
// middle day aggregated. Prints the time (wall and CPU) of the day's pass and of its slices' passes, the peak
// JS heap during the build (sampled at each file read) against the 128 MB isolate limit, and the bytes
// written against the bytes of the day's events.
//
//   node --expose-gc bench/aggregate.mjs [--events 1000000] [--tz UTC]
import { parseArgs } from 'node:util'
import { importTs } from './ts.mjs'

const { values: opt } = parseArgs({ options: { events: { type: 'string', default: '1000000' }, tz: { type: 'string', default: 'UTC' } } })
const N = Number(opt.events)
/** @type {any} */
const L = await importTs('lib/aggregate.ts')

const gc = /** @type {any} */ (globalThis).gc
if (!gc) throw new Error('run with node --expose-gc')
const bucket = new L.MemoryBucket()
const end = '2026-11-21'
const now = Date.parse('2026-11-22T06:00:00Z')
// Three days: the one before (the 30 minutes before midnight), the day, the one after (sessions that go on).
const sink = L.bucketSink(bucket)
delete sink.bucket // the backfill alone: the bench aggregates the day itself
const t0 = performance.now()
const b = await L.backfill({ sink, days: 3, eventsPerDay: N, end, now, seed: 'bench', quiet: true })
const genS = (performance.now() - t0) / 1000
const date = '2026-11-20'
const dayBytes = [...bucket.objects].filter(([k]) => k.includes(`date=${date}/`)).reduce((a, [, o]) => a + o.size, 0)

// Peak live heap: measured after a full GC at every object read, i.e. between groups of files, what the
// day's aggregation state holds (`live`), and before that GC, with the garbage of the previous group (`heap`).
gc()
const base = process.memoryUsage().heapUsed
let peak = base,
  live = base
const get = bucket.get.bind(bucket)
bucket.get = async (/** @type {string} */ key) => {
  peak = Math.max(peak, process.memoryUsage().heapUsed)
  gc()
  live = Math.max(live, process.memoryUsage().heapUsed)
  return get(key)
}
// Timed without the GC calls of the memory probe (a second run of the same build): the day's own pass (as
// the cron writes it the run the day closes), then its slices (one pass per filter dimension, which later
// runs write within their budget of events, warehouse/aggregate/job.ts).
const timed = new L.MemoryBucket()
for (const [k, o] of bucket.objects) timed.objects.set(k, o)
/** @param {() => Promise<unknown>} run */
const time = async (run) => {
  const cpu0 = process.cpuUsage()
  const t = performance.now()
  await run()
  const cpu = process.cpuUsage(cpu0)
  return { wall: (performance.now() - t) / 1000, cpu: (cpu.user + cpu.system) / 1e6 }
}
const day = await time(() => L.aggregateDay(timed, 'demo', date, { now, tz: opt.tz, sliceBudget: { events: 0 } }))
const sliced = await time(() => L.aggregateDay(timed, 'demo', date, { now, tz: opt.tz }))
const r = await L.aggregateDay(bucket, 'demo', date, { now, tz: opt.tz })
peak = Math.max(peak, process.memoryUsage().heapUsed)
const out = bucket.objects.get(r.key)
const slices = [...bucket.objects].filter(([k]) => k.startsWith(r.key.replace(/\.parquet$/, '.by-')))

const mb = (/** @type {number} */ x) => `${(x / 1048576).toFixed(1)} MB`
const share = (/** @type {number} */ x) => `${((100 * x) / dayBytes).toFixed(2)} %`
console.log(
  `aggregation of one day, ${N.toLocaleString('en')} events a day (${b.events.toLocaleString('en')} backfilled in ${genS.toFixed(1)} s), zone ${opt.tz}, Node ${process.version}; day events ${dayBytes.toLocaleString('en')} B`,
)
const sliceBytes = slices.reduce((a, [, o]) => a + o.size, 0)
console.table({
  [`${date} day`]: {
    status: r.status,
    'wall s': Number(day.wall.toFixed(2)),
    'CPU s': Number(day.cpu.toFixed(2)),
    'peak live heap': mb(live - base),
    'peak heap with garbage': mb(peak - base),
    files: 1,
    bytes: out?.size,
    'bytes / events': share(out?.size ?? 0),
  },
  [`${date} slices`]: {
    status: `${r.slices} written`,
    'wall s': Number(sliced.wall.toFixed(2)),
    'CPU s': Number(sliced.cpu.toFixed(2)),
    'peak live heap': '(same)',
    'peak heap with garbage': '(same)',
    files: slices.length,
    bytes: sliceBytes,
    'bytes / events': share(sliceBytes),
  },
})
