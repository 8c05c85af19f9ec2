#!/usr/bin/env node
// Runs the generator (TypeScript, importing the warehouse and edge modules) on plain Node 20: esbuild
// bundles it once into node_modules/.cache (about 100 ms), packages stay external.
//
//   node examples/generator/cli.mjs live|backfill|replay [options]     (npm run generate -- ...)
//   node examples/generator/cli.mjs --help
import { build } from 'esbuild'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = join(import.meta.dirname, '../..')

/** The generator's modules (main.ts), bundled for Node. */
export async function loadGenerator() {
  const outfile = join(root, 'node_modules/.cache/footfall/generator.mjs')
  await build({
    entryPoints: [join(import.meta.dirname, 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  })
  return import(pathToFileURL(outfile).href + `?t=${Date.now()}`)
}

if (process.argv[1] === import.meta.filename) {
  const { main } = await loadGenerator()
  process.exitCode = await main(process.argv.slice(2))
}
