// @ts-check
// The project's TypeScript modules for a Node bench: esbuild bundles an entry of bench/lib/ (a module of
// re-exports, type-checked with the project) into a cached module under node_modules/ (so the bundle's own
// imports of packages resolve), and it is imported.
import { build } from 'esbuild'
import { basename, join } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = join(import.meta.dirname, '..')

/**
 * @param {string} entry a module of bench/lib/, relative to bench/
 * @returns {Promise<any>} its exports (untyped here: the bench scripts are JavaScript)
 * @example const L = await importTs('lib/query.ts')
 */
export async function importTs(entry) {
  const outfile = join(root, 'node_modules/.cache/footfall-bench', `${basename(entry, '.ts')}.mjs`)
  await build({
    entryPoints: [join(import.meta.dirname, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'error',
  })
  return import(pathToFileURL(outfile).href)
}
