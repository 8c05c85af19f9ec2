/**
 * `npm run deploy` builds the worker with wrangler; this proves the bundle builds, offline, with every
 * binding of wrangler.toml (`wrangler deploy --dry-run`), and that no asset is over the 25 MiB file limit.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const ASSET_LIMIT = 25 * 1024 * 1024

describe('deploy', () => {
  it('builds the worker bundle with wrangler deploy --dry-run', async () => {
    const out = await mkdtemp(join(tmpdir(), 'footfall-deploy-'))
    const { stdout } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', out], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    })
    expect(stdout).toContain('--dry-run: exiting now.')
    for (const binding of ['env.EVENTS (footfall-events)', 'env.LAKE (footfall-lake)', 'env.ASSETS']) expect(stdout).toContain(binding)
    const bundle = await readFile(join(out, 'index.js'), 'utf8')
    expect(bundle).toMatch(/export\s*\{[^}]*\bas default\b/)
  })

  it('keeps every static asset under the 25 MiB per-file limit of Workers', async () => {
    const files = await readdir(join(ROOT, 'dist/public'), { recursive: true })
    const sizes = await Promise.all(files.map(async (f) => [f, (await stat(join(ROOT, 'dist/public', f))).size] as const))
    expect(sizes.filter(([, size]) => size > ASSET_LIMIT)).toEqual([])
    expect(sizes.map(([f]) => f)).toContain(join('dashboard', 'duckdb', 'duckdb-eh.wasm.gz'))
  })
})
