// `npm run bench:lake`: the lake's Parquet files, written by the same code as the consumer and the compactor
// (warehouse/parquet.ts, hyparquet-writer), in Node:
//   - encode speed (events/s) and bytes per event of 100-event parts (one consumer batch),
//   - bytes per event of compacted files (100k events of a day, sorted by time, 10k-row groups),
//   - each codec (UNCOMPRESSED, SNAPPY, GZIP and BROTLI through node:zlib; Node 20 has no ZSTD), with and
//     without forced dictionaries on low-cardinality strings, and row-group sizes of compacted files,
//   - compaction of a 100k-event day from 1,000 parts on an in-memory bucket (time, peak heap).
//
//   node --expose-gc bench/lake.mjs [--events 100000] [--rounds 3] [--only codecs|rowgroups|compaction]
import { importTs } from './ts.mjs'
import { parseArgs } from 'node:util'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { parquetReadObjects } from 'hyparquet'

const { values: opt } = parseArgs({
  options: { events: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' }, only: { type: 'string' } },
})
const N = Number(opt.events)
const ROUNDS = Number(opt.rounds)

// The warehouse is TypeScript: the entry points the worker uses, bundled for Node (bench/ts.mjs).
const lake = await importTs('lib/lake.ts')

// Realistic events: one shop, 2,000 visitors over a day, 60 pages, a few sources, countries and devices.
const pick = (a, i) => a[i % a.length]
const PAGES = Array.from({ length: 60 }, (_, i) =>
  i < 10 ? `/category/${['tea', 'coffee', 'cups', 'gifts', 'sale'][i % 5]}` : `/products/item-${i}`,
)
const COUNTRIES = ['DE', 'US', 'FR', 'GB', 'NL', 'ES', 'IT', 'PL', 'SE', 'CH', 'AT', 'BE', 'CA', 'JP', 'BR']
const BROWSERS = [
  ['Chrome', '131.0.0.0', 'Windows', '10', 'desktop'],
  ['Safari', '17.5', 'iOS', '17.5', 'mobile'],
  ['Firefox', '133.0', 'Linux', null, 'desktop'],
  ['Chrome', '131.0.0.0', 'Android', '14', 'mobile'],
  ['Edge', '131.0.0.0', 'Windows', '10', 'desktop'],
]
const SOURCES = [
  [null, null, 'direct'],
  ['www.google.com', 'https://www.google.com/', 'organic'],
  ['news.ycombinator.com', 'https://news.ycombinator.com/', 'referral'],
  ['t.co', 'https://t.co/x', 'social'],
]
const hex = (n, seed) => {
  let s = ''
  let x = (seed * 2654435761) >>> 0
  while (s.length < n) {
    x = (x * 1103515245 + 12345) >>> 0
    s += x.toString(16).padStart(8, '0')
  }
  return s.slice(0, n)
}
function events(n, dayStart = Date.UTC(2026, 10, 20)) {
  const rows = []
  for (let i = 0; i < n; i++) {
    const v = (i * 7919) % 2000
    const t = dayStart + Math.floor((i / n) * 86_400_000)
    const [browser, bv, os, osv, device] = pick(BROWSERS, v)
    const [rh, ref, channel] = pick(SOURCES, v * 3)
    const path = pick(PAGES, i * 31 + v)
    const type = i % 7 === 0 ? 'event' : i % 5 === 0 ? 'engagement' : 'pageview'
    const buy = type === 'event' && i % 3 === 0
    rows.push({
      event_id: `${hex(8, i)}-${hex(4, i + 1)}-${hex(4, i + 2)}-${hex(4, i + 3)}-${hex(12, i + 4)}`,
      site: 'demo',
      type,
      name: type === 'event' ? (buy ? 'purchase' : 'add_to_cart') : null,
      event_time: t,
      client_time: t - 120,
      received_time: t + 40,
      visitor_id: hex(32, v + 99),
      visitor_id_prev: null,
      user_id: v % 10 === 0 ? `user-${v}` : null,
      url: `https://shop.example${path}`,
      host: 'shop.example',
      path,
      title: `Shop: ${path.split('/').pop()}`,
      referrer: ref,
      referrer_host: rh,
      channel,
      utm_source: v % 9 === 0 ? 'newsletter' : null,
      utm_medium: v % 9 === 0 ? 'email' : null,
      utm_campaign: v % 9 === 0 ? 'winter' : null,
      utm_term: null,
      utm_content: null,
      click_id: null,
      props: type === 'event' ? { sku: `item-${i % 50}`, qty: 1 + (i % 3) } : null,
      product_id: buy ? `item-${i % 50}` : null,
      category: buy ? pick(['tea', 'coffee', 'cups'], i) : null,
      revenue: buy ? 5 + (i % 40) : null,
      currency: buy ? 'EUR' : null,
      element_tag: null,
      element_text: null,
      element_href: null,
      engaged_ms: type === 'engagement' ? 1000 + (i % 60000) : null,
      scroll_depth: type === 'engagement' ? i % 101 : null,
      screen: pick(['1920x1080', '390x844', '1440x900'], v),
      language: pick(['de-DE', 'en-US', 'fr-FR'], v),
      country: pick(COUNTRIES, v),
      region: null,
      city: null,
      continent: 'EU',
      timezone: 'Europe/Berlin',
      asn: 3320 + (v % 30),
      colo: pick(['FRA', 'AMS', 'CDG'], v),
      browser,
      browser_version: bv,
      os,
      os_version: osv,
      device_type: device,
      device_vendor: device === 'mobile' ? 'Apple' : null,
      device_model: device === 'mobile' ? 'iPhone' : null,
      is_bot: v % 50 === 0,
      bot_reason: v % 50 === 0 ? 'ua' : null,
    })
  }
  return rows
}

const CODECS = {
  UNCOMPRESSED: { codec: 'UNCOMPRESSED' },
  SNAPPY: { codec: 'SNAPPY' },
  GZIP: { codec: 'GZIP', compressors: { GZIP: (b) => gzipSync(b) } },
  BROTLI: { codec: 'BROTLI', compressors: { BROTLI: (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }) } },
}

function time(fn) {
  let best = Infinity,
    result
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now()
    result = fn()
    best = Math.min(best, performance.now() - t0)
  }
  return { ms: best, result }
}

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const all = events(N)
const parts = Array.from({ length: Math.floor(N / 100) }, (_, i) => all.slice(i * 100, i * 100 + 100))
console.log(`Node ${process.version}, ${N.toLocaleString('en-US')} events, best of ${ROUNDS}\n`)

const run = (part) => !opt.only || opt.only === part
if (run('codecs')) {
  console.log('| codec | dictionary | part (100 ev) B/event | part encode events/s | compacted B/event | compacted encode events/s |')
  console.log('|---|---|---:|---:|---:|---:|')
  for (const [name, c] of Object.entries(CODECS)) {
    for (const forceDictionary of [false, true]) {
      const sample = parts.slice(0, 200)
      const p = time(() => sample.reduce((n, rows) => n + lake.writeEvents(rows, { ...c, forceDictionary }).byteLength, 0))
      const whole = time(() => lake.writeEvents(all, { ...c, forceDictionary, rowGroupSize: lake.ROW_GROUP_ROWS }).byteLength)
      const events = sample.length * 100
      console.log(
        `| ${name} | ${forceDictionary ? 'forced on low-cardinality' : 'writer default'} | ${fmt(p.result / events, 1)} | ${fmt(events / (p.ms / 1000))} | ${fmt(whole.result / N, 1)} | ${fmt(N / (whole.ms / 1000))} |`,
      )
    }
  }
}

if (run('rowgroups')) {
  console.log('\n| compacted row group rows | B/event | encode ms | hyparquet read ms |')
  console.log('|---:|---:|---:|---:|')
  for (const rowGroupSize of [1000, 10_000, 50_000, 100_000]) {
    const w = time(() => lake.writeEvents(all, { rowGroupSize }))
    const t0 = performance.now()
    await parquetReadObjects({ file: w.result })
    console.log(`| ${fmt(rowGroupSize)} | ${fmt(w.result.byteLength / N, 1)} | ${fmt(w.ms)} | ${fmt(performance.now() - t0)} |`)
  }
}

// Compaction of one closed day made of 100-event parts, on an in-memory bucket with R2's list semantics
// (warehouse/testing/bucket.ts).
if (!run('compaction')) process.exit(0)
const bucket = new lake.MemoryBucket()
let partBytes = 0
for (const [i, rows] of parts.entries()) {
  const buf = lake.writeEvents(rows)
  partBytes += buf.byteLength
  const p = lake.partitionOf('demo', rows[0].event_time)
  await bucket.put(lake.partKey(p, `p${String(i).padStart(6, '0')}`), buf, {
    customMetadata: lake.encodeMeta({ rows: rows.length, ...lake.timeRange(rows), schema: 2 }),
  })
}
const partCount = parts.length
all.length = 0 // the generated events are in the bucket now, as Parquet
parts.length = 0
// Live heap (after a full GC) at every step of the compaction, above the heap before it: what an isolate keeps.
const gc = global.gc ?? (() => {})
gc()
const heap0 = process.memoryUsage().heapUsed
let peak = heap0
const t0 = performance.now()
let gcMs = 0,
  reads = 0
const res = await lake.compactDate(bucket, 'demo', '2026-11-20', {
  now: Date.UTC(2026, 10, 22),
  settledAt: Date.now() + 1000,
  // A full GC on every 25th input read and every output written (a GC per read would dominate the time).
  hook: (step) => {
    if (step !== 'written' && (step !== 'read' || ++reads % 25)) return
    const g = performance.now()
    gc()
    peak = Math.max(peak, process.memoryUsage().heapUsed)
    gcMs += performance.now() - g
  },
})
const ms = performance.now() - t0 - gcMs
const compactedBytes = [...bucket.objects.values()].reduce((n, o) => n + o.size, 0)
console.log(
  `\ncompaction of a ${fmt(N)}-event day in ${fmt(partCount)} parts (${fmt(partBytes / N, 1)} B/event): ${fmt(ms)} ms, ` +
    `${res.written.length} file(s), ${fmt(compactedBytes / N, 1)} B/event, live heap peak +${fmt((peak - heap0) / 2 ** 20)} MB${global.gc ? '' : ' (run with --expose-gc for this number)'} over the stored parts (${fmt(partBytes / 2 ** 20, 1)} MB, in this bucket's memory)`,
)
