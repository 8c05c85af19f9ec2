#!/usr/bin/env node
// @ts-check
// Runs the generator (TypeScript, importing the warehouse and edge modules) on plain Node 20: esbuild
// bundles it once into node_modules/.cache (about 100 ms), packages stay external.
//
//   node examples/generator/cli.mjs live|backfill|replay [options]     (npm run generate -- ...)
//   node examples/generator/cli.mjs --help
import { build } from 'esbuild'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = join(import.meta.dirname, '../..')

/** The generator's modules (main.ts), bundled for Node. */
export async function loadGenerator() {
  // One file per process (two runs at once must not read each other's half-written bundle), removed once
  // imported; it lives under node_modules so that its bare imports resolve to the project's packages.
  const outfile = join(root, `node_modules/.cache/footfall/generator-${process.pid}.mjs`)
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
  try {
    return await import(pathToFileURL(outfile).href + `?t=${Date.now()}`)
  } finally {
    await rm(outfile, { force: true })
  }
}

if (process.argv[1] === import.meta.filename) {
  const { main } = await loadGenerator()
  process.exitCode = await main(process.argv.slice(2))
}
