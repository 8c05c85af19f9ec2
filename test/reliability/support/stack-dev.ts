/**
 * The local stack of the reliability tests: `wrangler dev` as test/helpers/stack.ts runs it (same vars, the
 * geo database in R2, loopback), plus extra vars (the FAULTS switch of edge/faults.ts), a crash (`kill`:
 * SIGKILL, no shutdown) and a restart on the same port and the same persisted state (`--persist-to`).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { uploadGeoDb } from '../../../scripts/geo-db.mjs'
import { freePort, startWranglerDev } from '../../../scripts/wrangler-dev.mjs'
import { stackVars, type Stack } from '../../helpers/stack.ts'

export interface DevStack extends Stack {
  /** Miniflare's persisted state (R2 objects and their metadata), kept across restarts. */
  persistTo: string
  /** SIGKILL of wrangler and workerd: whatever they held only in memory is gone. */
  kill: () => Promise<void>
  /** Starts wrangler dev again on the same port and state (without the [assets] block: see `runCron`). */
  restart: (o?: { assets?: boolean }) => Promise<void>
  /** Whether the running instance has the [assets] block of wrangler.toml. */
  assets: () => boolean
  /** Stops it and deletes its state. */
  dispose: () => Promise<void>
}

const ROOT = join(import.meta.dirname, '../../..')

/**
 * wrangler.toml without its [assets] block, written beside it in dist/ (same relative paths), as
 * bench/ingest.mjs makes it.
 */
async function configWithoutAssets(): Promise<string> {
  const toml = await readFile(join(ROOT, 'wrangler.toml'), 'utf8')
  const stripped = toml.replace(/^\[assets\][\s\S]*?(?=^\[)/m, '').replace('main = "', 'main = "../')
  if (stripped.includes('[assets]') || !stripped.includes('main = "../')) throw new Error('cannot strip [assets] from wrangler.toml')
  const path = join(ROOT, 'dist/wrangler.reliability-no-assets.toml')
  await writeFile(path, stripped)
  return path
}

export async function startDevStack(vars: Record<string, string> = {}): Promise<DevStack> {
  const stateDir = await mkdtemp(join(tmpdir(), 'footfall-reliability-'))
  const persistTo = join(stateDir, 'state')
  await uploadGeoDb({ persistTo })
  const port = await freePort()
  const token = 'test-token'
  const allVars = { ...stackVars(token), ...vars }
  let earlier = ''
  let assets = true
  let dev = await startWranglerDev({ port, persistTo, vars: allVars })
  const stack: DevStack = {
    url: dev.url,
    token,
    stateDir,
    persistTo,
    logs: () => earlier + dev.logs(),
    stop: () => dev.stop(),
    kill: () => dev.kill(),
    restart: async (o = {}) => {
      earlier += dev.logs()
      assets = o.assets ?? true
      dev = await startWranglerDev({ port, persistTo, vars: allVars, config: assets ? undefined : await configWithoutAssets() })
    },
    assets: () => assets,
    dispose: async () => {
      await dev.stop()
      await rm(stateDir, { recursive: true, force: true })
    },
  }
  return stack
}

/**
 * Runs the cron (`scheduled()`: salt deletion, compaction, retention) as if it fired at `time`, through
 * Miniflare's trigger route, and waits for it to finish. A time in the future closes today's hours and day
 * for compaction (edge/scheduled.ts), and ages the salts.
 *
 * wrangler dev 4.86 sends /cdn-cgi/handler/scheduled to the static-asset router when [assets] is configured,
 * which has no scheduled handler (500 "exception"). So the stack is first restarted without that block: the
 * same worker code and the same persisted R2 state, gracefully (the caller waits for the queue to drain).
 */
export async function runCron(stack: DevStack, time: number): Promise<void> {
  if (stack.assets()) {
    await stack.stop()
    await stack.restart({ assets: false })
  }
  const res = await fetch(`${stack.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('*/15 * * * *')}&time=${time}`)
  const text = await res.text()
  if (!res.ok) throw new Error(`cron at ${new Date(time).toISOString()}: ${res.status} ${text}\n${stack.logs().slice(-3000)}`)
}
