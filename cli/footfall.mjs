#!/usr/bin/env node
// @ts-check
// `npx footfall ...`: the CLI is TypeScript sharing the SQL library with the dashboard; Node 20 cannot run
// .ts, so esbuild (already a dev dependency) bundles it once into a cached file next to node_modules.
import { build } from 'esbuild'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const sources = ['cli', 'warehouse', 'warehouse/sql', 'warehouse/aggregate'].flatMap((d) =>
  readdirSync(join(root, d))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(root, d, f)),
)
const hash = createHash('sha256')
for (const f of sources.sort()) hash.update(f).update(readFileSync(f))
const outfile = join(root, 'node_modules/.cache/footfall-cli', `${hash.digest('hex').slice(0, 16)}.mjs`)
if (!existsSync(outfile)) {
  await build({
    entryPoints: [join(root, 'cli/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  })
}
const { main } = await import(pathToFileURL(outfile).href)
try {
  process.exitCode = await main(process.argv.slice(2))
} catch (e) {
  process.stderr.write(`footfall: ${e instanceof Error ? e.message : e}\n`)
  process.exitCode = 1
}
