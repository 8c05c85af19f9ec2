/**
 * Runs the real local stack (`wrangler dev`: workerd + Miniflare's local Queues and R2) for a test, on
 * loopback, with its own state directory and an injected `request.cf` object.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { uploadGeoDb } from '../../scripts/geo-db.mjs'

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
}

const ROOT = join(import.meta.dirname, '../..')

export async function startStack({ port, cf, token = 'test-token' }: StackOptions): Promise<Stack> {
  const stateDir = await mkdtemp(join(tmpdir(), 'footfall-stack-'))
  const env: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }
  if (cf) {
    const cfPath = join(stateDir, 'cf.json')
    await writeFile(cfPath, JSON.stringify(cf))
    env.CLOUDFLARE_CF_FETCH_PATH = cfPath
    delete env.CLOUDFLARE_CF_FETCH_ENABLED
  }
  // The IP-to-country database, as `npm start` puts it into the local lake.
  await uploadGeoDb({ persistTo: join(stateDir, 'state') })
  const child = spawn(
    join(ROOT, 'node_modules/.bin/wrangler'),
    ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', join(stateDir, 'state'),
      '--var', `DASHBOARD_TOKEN:${token}`, '--var', `SITE_KEYS:${JSON.stringify({ demo: 'demo-server-key' })}`,
      '--show-interactive-dev-session=false'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const url = `http://127.0.0.1:${port}`
  const stop = () => kill(child)
  try {
    await waitFor(async () => (await fetch(`${url}/healthz`)).ok, 30_000, () => child.exitCode !== null)
  } catch (e) {
    await stop()
    throw new Error(`wrangler dev did not start: ${(e as Error).message}\n${out}`)
  }
  return { url, token, stateDir, logs: () => out, stop }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  process.kill(-child.pid!, 'SIGTERM') // the whole group: wrangler and its workerd
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
  if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL')
}

/** Polls `check` until it returns true (errors count as false), failing after `ms`. */
export async function waitFor(check: () => Promise<boolean>, ms: number, abort = () => false): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    if (abort()) throw new Error('process exited')
    if (await check().catch(() => false)) return
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** A free TCP port on loopback, so a test stack never collides with `npm start` on 8787. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}
