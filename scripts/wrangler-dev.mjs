// @ts-check
// `wrangler dev` as a child process on loopback, for the tests (test/helpers/stack.ts) and the benchmark
// (bench/ingest.mjs): a free port, its own state directory, started when /healthz answers, stopped with
// its workerd. (`npm start` runs wrangler in the foreground itself: scripts/start.mjs.)
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..')

/** A free TCP port on loopback, so a test or bench stack never collides with `npm start` on 8787. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** Polls `check` until it returns true (errors count as false), failing after `ms` or once `abort()`. */
export async function waitFor(check, ms, abort = () => false) {
  const end = Date.now() + ms
  for (;;) {
    if (abort()) throw new Error('process exited')
    if (await check().catch(() => false)) return
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/**
 * What every local stack sets: Miniflare's queue keeps messages in memory only, so they are journaled in R2
 * until written (edge/journal.ts); the cron's jobs can be fired by `POST /api/scheduled` (edge/local-cron.ts),
 * as `npm start` does on the cron's schedule. `npm start` (scripts/start.mjs) passes them too.
 */
export const LOCAL_VARS = { QUEUE_JOURNAL: 'r2', LOCAL_SCHEDULED: 'on' }

/**
 * Starts `wrangler dev` (the project's wrangler.toml unless `config`) on 127.0.0.1:`port` with state in
 * `persistTo`, `LOCAL_VARS` and `vars` passed with --var, and `request.cf` from the JSON file `cfPath` (else none is
 * fetched: Miniflare's placeholder). `logs: false` discards its output (the benchmark's requests).
 */
export async function startWranglerDev({ port, persistTo, config, vars = {}, cfPath, logs = true }) {
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' }
  if (cfPath) (env.CLOUDFLARE_CF_FETCH_PATH = cfPath), delete env.CLOUDFLARE_CF_FETCH_ENABLED
  else env.CLOUDFLARE_CF_FETCH_ENABLED = 'false'
  const child = spawn(
    join(ROOT, 'node_modules/.bin/wrangler'),
    [
      'dev',
      ...(config ? ['--config', config] : []),
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      persistTo,
      ...Object.entries({ ...LOCAL_VARS, ...vars }).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
      '--show-interactive-dev-session=false',
    ],
    { cwd: ROOT, env, stdio: ['ignore', logs ? 'pipe' : 'ignore', logs ? 'pipe' : 'ignore'], detached: true },
  )
  let out = ''
  child.stdout?.on('data', (d) => (out += d))
  child.stderr?.on('data', (d) => (out += d))
  const url = `http://127.0.0.1:${port}`
  const stop = () => stopGroup(child)
  try {
    await waitFor(
      async () => (await fetch(`${url}/healthz`)).ok,
      30_000,
      () => child.exitCode !== null,
    )
  } catch (e) {
    await stop()
    throw new Error(`wrangler dev did not start: ${e.message}\n${out}`)
  }
  // kill: SIGKILL of wrangler and its workerd at once, a crash with no shutdown (test/reliability/faults.test.ts).
  return { url, logs: () => out, stop, kill: () => stopGroup(child, 'SIGKILL') }
}

/** Stops a detached child and its whole process group (wrangler and its workerd). */
async function stopGroup(child, signal = 'SIGTERM') {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  process.kill(-child.pid, signal)
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
  if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL')
}
