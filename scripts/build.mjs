// Builds everything the worker serves as static assets into dist/public:
//   f.js (the tracker), dashboard/ (Preact + DuckDB-WASM), demo/ (the demo shop, examples/shop), _headers.
import { build as esbuild } from 'esbuild'
import { build as vite } from 'vite'
import { copyFile, cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { createReadStream, createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { createGzip, constants } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist/public')
const duckdbDist = join(root, 'node_modules/@duckdb/duckdb-wasm/dist')
const t0 = performance.now()

await mkdir(join(out, 'dashboard/duckdb'), { recursive: true })

// The tracker: one small IIFE for the script tag.
await esbuild({
  entryPoints: [join(root, 'sdk/src/script.ts')],
  outfile: join(out, 'f.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  legalComments: 'none',
  define: { FOOTFALL_LITE: 'false' }, // sdk/src/flags.d.ts
  tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
})
await (await import('../sdk/terser.mjs')).shrink(join(out, 'f.js')) // terser after esbuild (sdk/terser.mjs)
// The SDK's other builds (sdk/build.mjs): /f.core.js and the ESM package in dist/sdk.
await import('../sdk/build.mjs')

// Vite keeps dashboard/ (DuckDB's files below are copied once, emptyOutDir: false): its own hashed assets
// of earlier builds go first, or every build would leave more behind (deployed, and counted by `npm run size`).
await rm(join(out, 'dashboard/assets'), { recursive: true, force: true })
await vite({ configFile: join(root, 'dashboard/vite.config.ts') })

// DuckDB-WASM's engine, served by our worker: the worker script as is, the 34 MB wasm gzipped (edge/wasm.ts).
await copyFile(join(duckdbDist, 'duckdb-browser-eh.worker.js'), join(out, 'dashboard/duckdb/duckdb-browser-eh.worker.js'))
await gzipOnce(join(duckdbDist, 'duckdb-eh.wasm'), join(out, 'dashboard/duckdb/duckdb-eh.wasm.gz'))

// The demo shop (examples/shop) at /demo/. Each route of its single-page variant also gets a copy of the
// page (spa/product/tea-01.html is served at /demo/spa/product/tea-01), so reloads and deep links work.
await cp(join(root, 'examples/shop'), join(out, 'demo'), { recursive: true })
{
  const catalog = JSON.parse(await readFile(join(root, 'examples/shop/catalog.json'), 'utf8'))
  const spa = await readFile(join(root, 'examples/shop/spa/index.html'))
  const routes = [
    'cart',
    'checkout',
    'order',
    ...catalog.categories.map((c) => `category/${c.id}`),
    ...catalog.products.map((p) => `product/${p.id}`),
  ]
  await mkdir(join(out, 'demo/spa/category'), { recursive: true })
  await mkdir(join(out, 'demo/spa/product'), { recursive: true })
  await Promise.all(routes.map((r) => writeFile(join(out, `demo/spa/${r}.html`), spa)))
}
// The dashboard's Content-Security-Policy: only what DuckDB-WASM needs, all from our own origin (README,
// "Security headers", says why each source is there). It also covers the DuckDB worker script, which
// gets its policy from its own response.
const DASHBOARD_CSP = [
  "default-src 'none'",
  // Our bundle; 'wasm-unsafe-eval': WebAssembly.instantiate of DuckDB's engine. No 'unsafe-eval': the decoder
  // builds Arrow data from its buffers (makeData), not with apache-arrow's builders, which use new Function.
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'", // DuckDB's Web Worker, /dashboard/duckdb/duckdb-browser-eh.worker.js
  "connect-src 'self'", // /api/files, /data/ and the engine's .wasm
  "style-src 'self'", // the built stylesheet
  "img-src 'self' data:", // the empty data: favicon
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')
await writeFile(
  join(out, '_headers'),
  `/f.js
  Cache-Control: public, max-age=3600
  Access-Control-Allow-Origin: *
/dashboard/*
  Content-Security-Policy: ${DASHBOARD_CSP}
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: no-referrer
  Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=(), usb=()
  Cross-Origin-Opener-Policy: same-origin
/dashboard/duckdb/*
  Cache-Control: public, max-age=86400
`,
)

const size = (await readFile(join(out, 'f.js'))).byteLength
console.log(`built dist/public in ${Math.round(performance.now() - t0)} ms (f.js ${size} B)`)

/** Gzips src to dst unless dst is newer than src (the wasm does not change between builds). */
async function gzipOnce(src, dst) {
  const [s, d] = await Promise.all([stat(src), stat(dst).catch(() => null)])
  if (d && d.mtimeMs >= s.mtimeMs && d.size > 0) return
  await pipeline(createReadStream(src), createGzip({ level: constants.Z_BEST_COMPRESSION }), createWriteStream(dst + '.tmp'))
  await rename(dst + '.tmp', dst)
}
