// The SDK builds besides /f.js (imported by scripts/build.mjs, or run alone: `node sdk/build.mjs`):
//   dist/public/f.core.js   the core script build: pageviews, custom events, batching
//   dist/sdk/               the ESM package `footfall` (`import { init, track } from 'footfall'`):
//                           index.js, index.d.ts + types.d.ts, package.json; publish with `npm publish dist/sdk`
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { shrink } from './terser.mjs'

const root = join(import.meta.dirname, '..')
const pkg = join(root, 'dist/sdk')
// es2020: native ?. and ?? (every browser with keepalive fetch has them).
// No "use strict" prologue: the bundle is strict-safe, and every byte counts.
const common = {
  bundle: true,
  minify: true,
  target: 'es2020',
  legalComments: 'none',
  tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
}

// FOOTFALL_LITE: see sdk/src/flags.d.ts.
await build({
  ...common,
  entryPoints: [join(root, 'sdk/src/script-core.ts')],
  outfile: join(root, 'dist/public/f.core.js'),
  format: 'iife',
  define: { FOOTFALL_LITE: 'true' },
})
await shrink(join(root, 'dist/public/f.core.js'))
await build({
  ...common,
  entryPoints: [join(root, 'sdk/src/index.ts')],
  outfile: join(pkg, 'index.js'),
  format: 'esm',
  define: { FOOTFALL_LITE: 'false' },
})

// Declarations: index.d.ts refers only to types.d.ts (no wire types, no zod). tsc keeps the `.ts` import
// specifiers of our sources; the package's files are `.js`/`.d.ts`.
const types = await mkdtemp(join(tmpdir(), 'footfall-sdk-types-'))
execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'sdk/tsconfig.build.json'), '--outDir', types], { stdio: 'inherit' })
for (const f of ['index.d.ts', 'types.d.ts']) {
  const text = await readFile(join(types, 'sdk/src', f), 'utf8')
  await writeFile(join(pkg, f), text.replace(/from '\.\/(\w+)\.ts'/g, "from './$1.js'"))
}
const { version, license } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
await writeFile(
  join(pkg, 'package.json'),
  JSON.stringify(
    {
      name: 'footfall',
      version,
      license,
      type: 'module',
      sideEffects: false,
      exports: { '.': { types: './index.d.ts', import: './index.js' } },
      types: './index.d.ts',
    },
    null,
    2,
  ) + '\n',
)
