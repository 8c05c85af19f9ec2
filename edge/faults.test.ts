/** The fault switch of the reliability tests: off unless the FAULTS var is set, and only the var sets it. */
import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import worker from './index.ts'
import { withFetchFaults, withQueueFaults } from './faults.ts'
import type { Env } from './env.ts'
import { batchOf, CHROME_UA, ORIGIN, testEnv, wireEventAt } from './test-helpers.ts'

async function post(env: Env, headers: Record<string, string> = {}, query = '') {
  const ctx = createExecutionContext()
  const req = new Request(`http://localhost/e${query}`, {
    method: 'POST',
    body: JSON.stringify(batchOf([wireEventAt('fault-000001')])),
    headers: { Origin: ORIGIN, 'User-Agent': CHROME_UA, 'CF-Connecting-IP': '198.51.100.30', ...headers },
  })
  const res = await worker.fetch!(req as Request<unknown, IncomingRequestCfProperties>, env, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

describe('fault switch', () => {
  it('returns the real bindings and batch untouched when FAULTS is unset', () => {
    expect(testEnv.FAULTS).toBeUndefined()
    expect(withFetchFaults(testEnv)).toBe(testEnv)
    const batch = createMessageBatch<unknown>('footfall-events', [{ id: 'm0', timestamp: new Date(), attempts: 1, body: { events: [] } }])
    const [b, env] = withQueueFaults(batch, testEnv)
    expect(b).toBe(batch)
    expect(env).toBe(testEnv)
  })

  it('cannot be turned on by a request', async () => {
    const res = await post(testEnv, { FAULTS: '{"queueRefuse":1}', 'X-Faults': '{"queueRefuse":1}' }, '?FAULTS=%7B%22queueRefuse%22%3A1%7D')
    expect(res.status).toBe(202)
  })

  it('makes the real queue refuse when the var asks for it', async () => {
    const res = await post({ ...testEnv, FAULTS: JSON.stringify({ queueRefuse: 1 }) })
    expect(res.status).toBe(503)
    expect(res.headers.get('Retry-After')).toBe('5')
  })
})
