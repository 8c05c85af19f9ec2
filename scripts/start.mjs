// `npm start`: builds the assets and runs the local stack (wrangler dev: workerd + Miniflare's local
// Queues and R2) on 127.0.0.1:8787, fully offline, with its state under .wrangler/state. Ctrl-C stops it.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const port = Number(process.env.PORT ?? 8787)
const token = process.env.DASHBOARD_TOKEN ?? 'footfall-dev'
const base = `http://127.0.0.1:${port}`

if (await fetch(`${base}/healthz`).then(() => true, () => false)) {
  console.error(`${base} is already in use: stop the other server or set PORT.`)
  process.exit(1)
}

const { uploadGeoDb } = await import('./geo-db.mjs')
await Promise.all([import('./build.mjs'), uploadGeoDb({ persistTo: join(root, '.wrangler/state') })])

const wrangler = spawn(
  join(root, 'node_modules/.bin/wrangler'),
  ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', join(root, '.wrangler/state'),
    '--var', `DASHBOARD_TOKEN:${token}`, '--var', `SITE_KEYS:${JSON.stringify({ demo: 'demo-server-key' })}`,
    '--show-interactive-dev-session=false', '--log-level', 'warn'],
  {
    cwd: root,
    // Offline: no metrics, and no attempt to fetch the real request.cf (a placeholder is used instead).
    env: { CLOUDFLARE_CF_FETCH_ENABLED: 'false', ...process.env, WRANGLER_SEND_METRICS: 'false' },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  },
)

let stopping = false
const stop = (code = 0) => {
  if (stopping) return
  stopping = true
  try {
    process.kill(-wrangler.pid, 'SIGTERM') // wrangler and the workerd it started
  } catch {}
  setTimeout(() => process.exit(code), 3000).unref()
  wrangler.once('exit', () => process.exit(code))
}
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))
wrangler.once('exit', (code) => {
  if (!stopping) {
    console.error(`wrangler dev exited (${code})`)
    process.exit(code ?? 1)
  }
})

const deadline = Date.now() + 60_000
while (!(await fetch(`${base}/healthz`).then((r) => r.ok, () => false))) {
  if (Date.now() > deadline) {
    console.error('the local stack did not answer /healthz within 60 s')
    stop(1)
    break
  }
  await new Promise((r) => setTimeout(r, 250))
}
if (!stopping) {
  console.log(`
Footfall is running (offline, state in .wrangler/state).

  Demo shop   ${base}/demo/
  Dashboard   ${base}/dashboard/#token=${token}
  Token       ${token}
  Collector   POST ${base}/e

Ctrl-C stops it.`)
}
