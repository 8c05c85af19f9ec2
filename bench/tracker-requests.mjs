// `node bench/tracker-requests.mjs`: how many requests a pageview costs by the tracker's batch delay, for the
// demo shop's visits (examples/generator/model.ts) sent as the tracker sends them (examples/generator/tracker.ts).
// Every request is a Worker request and a queue message of 3 billed operations (README, "What it costs"), and
// the delay is what a visitor who stays waits before the dashboard can see their pageview; the tracker's own
// delay is sdk/src/batching.ts's BATCH_DELAY_MS. No stack: the model's requests only.
//
//   node bench/tracker-requests.mjs [--visits 5000] [--seed cost] [--delays 1,2,5,10,15,20,30,60]
import { parseArgs } from 'node:util'
import { importTs } from './ts.mjs'

const { values: opt } = parseArgs({
  options: {
    visits: { type: 'string', default: '5000' },
    seed: { type: 'string', default: 'cost' },
    delays: { type: 'string', default: '1,2,5,10,15,20,30,60' }, // seconds
  },
})
const G = await importTs(
  'tracker-requests',
  `export { newVisitor, session } from './examples/generator/model.ts'
export { trackerRequests } from './examples/generator/tracker.ts'
export { BATCH_DELAY_MS } from './sdk/src/batching.ts'
export { Random } from './examples/generator/random.ts'`,
)

// The same visits for every delay (cost.mjs draws them the same way).
const rng = new G.Random(opt.seed)
let ids = 0
const visits = Array.from({ length: Number(opt.visits) }, (_, i) =>
  G.session(rng.fork(`visit-${i}`), G.newVisitor(rng.fork(`visitor-${i}`), i), 0, {
    base: 'http://127.0.0.1/demo/',
    nextId: () => `r${(ids++).toString(36)}`,
  }),
)
const pageviews = visits.reduce((n, v) => n + v.filter((e) => e.type === 'pageview').length, 0)

const fmt = (n, d) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
console.log(`${visits.length} visits (seed "${opt.seed}"), ${pageviews} pageviews; the tracker's delay: ${G.BATCH_DELAY_MS / 1000} s\n`)
console.log('| batch delay | requests a pageview | of which beacons | queue operations a pageview | vs 1 s |')
console.log('|---:|---:|---:|---:|---:|')
let first
for (const d of [...opt.delays.split(',').map(Number), Infinity]) {
  const requests = visits.flatMap((v) => G.trackerRequests(v, d * 1000))
  const perPv = requests.length / pageviews
  first ??= perPv
  const label = d === Infinity ? 'never (only the leave sends)' : `${d} s${d * 1000 === G.BATCH_DELAY_MS ? ' (the tracker)' : ''}`
  console.log(
    `| ${label} | ${fmt(perPv, 3)} | ${fmt(requests.filter((r) => r.beacon).length / pageviews, 3)} | ${fmt(3 * perPv, 2)} | ${fmt((perPv / first - 1) * 100, 1)} % |`,
  )
}
