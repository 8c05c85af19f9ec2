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
// The SDK's other builds (sdk/build.mjs): /f.core.js and the ESM package in dist/sdk.
await import('../sdk/build.mjs')

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
  const routes = ['cart', 'checkout', 'order', ...catalog.categories.map((c) => `category/${c.id}`), ...catalog.products.map((p) => `product/${p.id}`)]
  await mkdir(join(out, 'demo/spa/category'), { recursive: true })
  await mkdir(join(out, 'demo/spa/product'), { recursive: true })
  await Promise.all(routes.map((r) => writeFile(join(out, `demo/spa/${r}.html`), spa)))
}
await writeFile(
  join(out, '_headers'),
  `/f.js
  Cache-Control: public, max-age=3600
  Access-Control-Allow-Origin: *
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
