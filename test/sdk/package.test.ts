/**
 * The ESM package as a site would install it (`dist/sdk`, built by `npm run build`): its declarations type
 * check on their own in a consumer project (no zod, no `.ts` specifiers), and the module imports in Node
 * (server-side rendering) with the documented exports.
 */
import { execFileSync } from 'node:child_process'
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '../..')

describe('ESM package dist/sdk', () => {
  it('type checks in a consumer project and imports in Node', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'footfall-consumer-'))
    await mkdir(join(dir, 'node_modules'))
    await cp(join(ROOT, 'dist/sdk'), join(dir, 'node_modules/footfall'), { recursive: true })
    await writeFile(
      join(dir, 'app.ts'),
      `import { init, track, identify, page, flush, type Options } from 'footfall'
const o: Options = { site: 'shop', endpoint: 'https://s.example/e', spa: 'hash', exclude: ['/admin/*'], download: false }
init(o)
track('purchase', { revenue: 42.5, currency: 'EUR' })
identify('user-7', { plan: 'pro' })
page()
flush()
// @ts-expect-error props are flat
track('x', { nested: { a: 1 } })
`,
    )
    const tsc = join(ROOT, 'node_modules/.bin/tsc')
    const run = () =>
      execFileSync(
        tsc,
        ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2020,dom', 'app.ts'],
        { cwd: dir, encoding: 'utf8' },
      )
    expect(run).not.toThrow()

    const mod = await import(pathToFileURL(join(dir, 'node_modules/footfall/index.js')).href)
    expect(Object.keys(mod).sort()).toEqual(['flush', 'identify', 'init', 'page', 'track'])
    expect(() => mod.track('ssr')).not.toThrow()
  })
})
