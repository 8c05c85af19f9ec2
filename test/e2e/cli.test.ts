/**
 * The CLI against the real local stack: a backend sends server-side events to `wrangler dev`, the queue
 * consumer writes Parquet to local R2, and `footfall` reads the lake through the stack's own API
 * (`/api/files`, `/data/<key>`, bearer token) into native DuckDB.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listFiles } from '../helpers/lake.ts'
import { freePort, startStack, waitFor, type Stack } from '../helpers/stack.ts'

const exec = promisify(execFile)
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const t0 = Date.now() - 20 * 60_000
let stack: Stack
let cache: string
const cli = (...args: string[]) =>
  exec(process.execPath, ['cli/footfall.mjs', ...args, '--url', stack.url, '--token', stack.token, '--site', 'demo'], {
    env: { ...process.env, HOME: cache },
    maxBuffer: 1 << 24,
  })

beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'footfall-cli-home-'))
  stack = await startStack({ port: await freePort() })
  const ev = (id: string, min: number, ip: string, extra = {}) => ({
    id,
    type: 'pageview',
    ts: t0 + min * 60_000,
    url: 'http://localhost/demo/',
    ip,
    ua: UA,
    ...extra,
  })
  const res = await fetch(`${stack.url}/e`, {
    method: 'POST',
    headers: { Authorization: 'Bearer demo-server-key', 'Content-Type': 'application/json' },
    body: JSON.stringify({
      site: 'demo',
      sentAt: Date.now(),
      events: [
        ev('cli-e2e-a1', 0, '5.9.1.1'),
        ev('cli-e2e-a2', 10, '5.9.1.1', { url: 'http://localhost/demo/cart' }),
        ev('cli-e2e-a3', 11, '5.9.1.1', { type: 'event', name: 'purchase', props: { revenue: 20 } }),
        ev('cli-e2e-b1', 5, '81.2.69.142'),
      ],
    }),
  })
  expect(res.status).toBe(202)
  await waitFor(async () => (await listFiles(stack)).reduce((n, f) => n + f.rows, 0) >= 4, 30_000)
})
afterAll(async () => {
  await stack?.stop()
})

describe('footfall CLI on the local stack', () => {
  it('query reads the lake through /api/files and /data', async () => {
    const { stdout } = await cli(
      'query',
      'SELECT type, count(*) AS n, count(DISTINCT visitor_id) AS v FROM events GROUP BY type ORDER BY type',
      '--format',
      'csv',
    )
    expect(stdout.trim().split('\n')).toEqual(['type,n,v', 'event,1,1', 'pageview,3,2'])
  })

  it('report gives the KPIs of the range', async () => {
    const { stdout } = await cli('report', '--from', String(t0 - 60_000), '--to', String(Date.now() + 60_000), '--format', 'json')
    const { kpis } = JSON.parse(stdout)
    expect(kpis[0]).toMatchObject({ visitors: 2, visits: 2, pageviews: 3, bounce_rate: 0.5, visit_duration_ms: (11 * 60_000) / 2 })
  })

  it('export writes the events as CSV', async () => {
    const out = join(cache, 'events.csv')
    await cli('export', '--format', 'csv', '--out', out, '--from', String(t0 - 60_000), '--to', String(Date.now() + 60_000))
    const lines = (await readFile(out, 'utf8')).trim().split('\n')
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['cli-e2e-a1', 'cli-e2e-b1', 'cli-e2e-a2', 'cli-e2e-a3'])
  })
})
