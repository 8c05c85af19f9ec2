/**
 * Runs the real local stack (`wrangler dev`: workerd + Miniflare's local Queues and R2) for a test, on
 * loopback, with its own state directory and an injected `request.cf` object.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { uploadGeoDb } from '../../scripts/geo-db.mjs'
import { startWranglerDev } from '../../scripts/wrangler-dev.mjs'

export { freePort, waitFor } from '../../scripts/wrangler-dev.mjs'

export interface Stack {
  url: string
  token: string
  stateDir: string
  logs: () => string
  stop: () => Promise<void>
}

export interface StackOptions {
  port: number
  /** The `request.cf` object every request sees (geo fields etc.). */
  cf?: Record<string, unknown>
  token?: string
  /** More vars of the worker (e.g. `SITES`), over the test stack's own. */
  vars?: Record<string, string>
}

/** The vars of every test stack: the dashboard's token and the demo site's server-side API key. */
export const stackVars = (token: string) => ({ DASHBOARD_TOKEN: token, SITE_KEYS: JSON.stringify({ demo: 'demo-server-key' }) })

export async function startStack({ port, cf, token = 'test-token', vars = {} }: StackOptions): Promise<Stack> {
  const stateDir = await mkdtemp(join(tmpdir(), 'footfall-stack-'))
  let cfPath: string | undefined
  if (cf) await writeFile((cfPath = join(stateDir, 'cf.json')), JSON.stringify(cf))
  // The IP-to-country database, as `npm start` puts it into the local lake.
  await uploadGeoDb({ persistTo: join(stateDir, 'state') })
  const dev = await startWranglerDev({
    port,
    persistTo: join(stateDir, 'state'),
    vars: { ...stackVars(token), ...vars },
    cfPath,
  })
  return { ...dev, token, stateDir }
}
