// @ts-check
// `npm run size`: raw, gzip and brotli bytes of what Footfall ships (run `npm run build` first).
//   f.js           the tracker every visitor loads (default build); f.core.js the core build
//   dist/sdk       the tracker as an ESM package (minified, before the site's own bundler)
//   worker         the worker bundle as `wrangler deploy --dry-run` builds it
//   dashboard      the dashboard's own JavaScript (DuckDB-WASM's engine listed separately)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, gzipSync, constants } from 'node:zlib'

const root = join(import.meta.dirname, '..')
const pub = join(root, 'dist/public')

const workerDir = mkdtempSync(join(tmpdir(), 'footfall-size-'))
execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', workerDir], {
  cwd: root,
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  stdio: 'ignore',
})

const dashJs = readdirSync(join(pub, 'dashboard/assets'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => join(pub, 'dashboard/assets', f))
/** @type {[string, string[]][]} */
const items = [
  ['f.js (tracker, script tag)', [join(pub, 'f.js')]],
  ['f.core.js (core tracker: pageviews, events, batching)', [join(pub, 'f.core.js')]],
  ['footfall ESM package (dist/sdk/index.js)', [join(root, 'dist/sdk/index.js')]],
  ['worker bundle', [join(workerDir, 'index.js')]],
  ['dashboard JS (app + duckdb-wasm API)', dashJs],
  ['duckdb-browser-eh.worker.js', [join(pub, 'dashboard/duckdb/duckdb-browser-eh.worker.js')]],
]

const rows = items.map(([name, files]) => {
  const buf = Buffer.concat(files.map((f) => readFileSync(f)))
  return {
    name,
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  }
})
const wasmGz = readFileSync(join(pub, 'dashboard/duckdb/duckdb-eh.wasm.gz')).length
const wasmRaw = statSync(join(root, 'node_modules/@duckdb/duckdb-wasm/dist/duckdb-eh.wasm')).size
rows.push({ name: 'duckdb-eh.wasm (served gzipped)', raw: wasmRaw, gzip: wasmGz, brotli: NaN })

const fmt = (/** @type {number} */ n) => (Number.isNaN(n) ? '-' : n.toLocaleString('en-US'))
console.log('| what | raw B | gzip B | brotli B |\n|---|---:|---:|---:|')
for (const r of rows) console.log(`| ${r.name} | ${fmt(r.raw)} | ${fmt(r.gzip)} | ${fmt(r.brotli)} |`)

// The tracker's budgets (README, "Builds and sizes"): gzip bytes of the default and the core script builds.
// Over a budget, the command fails, and with it `npm test`.
/** @type {Record<string, number>} */
const budgets = { 'f.js (tracker, script tag)': 1500, 'f.core.js (core tracker: pageviews, events, batching)': 800 }
for (const r of rows) {
  const b = budgets[r.name]
  if (!b) continue
  console.log(
    `budget ${r.name.split(' ')[0]}: ${fmt(r.gzip)} of ${fmt(b)} B gzip: ${r.gzip <= b ? 'within' : `OVER by ${fmt(r.gzip - b)}`}`,
  )
  if (r.gzip > b) process.exitCode = 1
}
if (process.exitCode) console.error('size budget exceeded: make the tracker smaller, or raise its budget in bench/size.mjs with the reason')
