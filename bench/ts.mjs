// The project's TypeScript modules for a Node bench: esbuild (a dev dependency) bundles `source`, a few
// export lines resolved from the project root, into a cached module under node_modules/ (so the bundle's own
// imports of packages resolve), and it is imported.
import { build } from 'esbuild'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = join(import.meta.dirname, '..')

/** @example const L = await importTs('query-lib', `export { kpis } from './warehouse/sql/kpis.ts'`) */
export async function importTs(name, source) {
  const outfile = join(root, 'node_modules/.cache/footfall-bench', `${name}.mjs`)
  await build({
    stdin: { contents: source, resolveDir: root, loader: 'ts' },
    outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'error',
  })
  return import(pathToFileURL(outfile).href)
}
