/**
 * The HTTP layer in front of the collector, on `wrangler dev` (loopback): a chunked body far over the limit
 * is answered 413 and the stack goes on serving everyone (the next request, on a new connection, is answered
 * by the worker, not with the proxy's 503 "Your worker restarted mid-request"); a malformed Content-Length
 * is answered before the worker, as recorded here and in the README.
 */
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batch, CHROME_UA, postEvents, raw, request, wireEvent } from './support/input-http.ts'
import { startDevStack, type DevStack } from './support/stack-dev.ts'

let stack: DevStack
beforeAll(async () => {
  stack = await startDevStack()
})
afterAll(async () => {
  await stack?.dispose()
})

/**
 * A chunked POST /e of `bytes` bytes of junk over a raw socket, in 64 KB chunks: the status of the answer
 * (a server may answer before the body ends; writing stops then, as browsers do).
 */
function chunked(bytes: number): Promise<number> {
  const { hostname, port } = new URL(stack.url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) })
    const timer = setTimeout(() => (socket.destroy(), reject(new Error('no answer'))), 30_000)
    let answer = ''
    let stopped = false
    socket.on('data', (d) => {
      answer += d.toString('latin1')
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]
      if (status) (stopped = true), clearTimeout(timer), socket.destroy(), resolve(Number(status))
    })
    socket.on('error', (e) => stopped || (clearTimeout(timer), reject(e)))
    socket.write(
      `POST /e HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nCF-Connecting-IP: 198.51.100.31\r\nConnection: close\r\n\r\n`,
    )
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x20), Buffer.from('\r\n')])
    let sent = 0
    const pump = () => {
      while (!stopped && sent < bytes) {
        sent += 0x10000
        if (!socket.write(chunk)) return void socket.once('drain', pump)
      }
      if (!stopped) socket.write('0\r\n\r\n')
    }
    pump()
  })
}

describe('reliability: large and malformed bodies', () => {
  it.each([1.2, 4, 16])(
    'answers a chunked body of %d MB with 413, and the next request from anyone is served',
    async (mb) => {
      expect(await chunked(mb * 1024 * 1024)).toBe(413)
      const health = await request(stack, '/healthz')
      expect([health.status, health.text.includes('restarted')]).toEqual([200, false])
      const ok = await postEvents(stack, batch([wireEvent(`after-${mb * 10}-mb-aaaa`)]), {
        'CF-Connecting-IP': '198.51.100.32',
        'User-Agent': CHROME_UA,
      })
      expect(ok.status).toBe(202)
    },
    60_000,
  )

  it.each(['-1', 'abc', '1e3', '12, 13'])('answers a Content-Length of %j before the worker, and goes on serving', async (length) => {
    const body = JSON.stringify(batch([wireEvent('cl-0000000001')]))
    const answer = await raw(
      stack,
      `POST /e HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n${body}`,
    )
    console.log(
      `Content-Length: ${length} -> ${answer.status} ${answer.headers.get('Content-Type')} ${JSON.stringify(answer.text.slice(0, 80))}`,
    )
    expect(answer.status).toBeGreaterThanOrEqual(400)
    expect((await request(stack, '/healthz')).status).toBe(200)
  })
})
