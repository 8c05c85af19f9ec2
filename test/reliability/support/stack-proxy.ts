/**
 * A loopback HTTP proxy in front of the stack that can lose answers: the request reaches the worker and is
 * answered in full, then the proxy closes the client's connection instead of passing the answer on. The
 * client sees a network error after the server did its work: a response lost on the way back.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LossyProxy {
  url: string
  /** Loses the answers of the next `n` requests. */
  loseNext: (n: number) => void
  /** Answers lost so far, with the status the server had given. */
  lost: number[]
  close: () => Promise<void>
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

export async function startLossyProxy(target: string): Promise<LossyProxy> {
  let toLose = 0
  const lost: number[] = []
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req)
    const headers = new Headers()
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers.set(k, v)
    const upstream = await fetch(target + req.url, { method: req.method, headers, body: body.length ? new Uint8Array(body) : undefined })
    const answer = Buffer.from(await upstream.arrayBuffer())
    if (toLose > 0) {
      toLose--
      lost.push(upstream.status)
      req.socket.destroy()
      return
    }
    // fetch decoded the body: its length and encoding are this proxy's now.
    const out = Object.fromEntries(
      [...upstream.headers].filter(([k]) => !['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(k)),
    )
    res.writeHead(upstream.status, out)
    res.end(answer)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    loseNext: (n) => void (toLose += n),
    lost,
    close: () => new Promise((r) => server.close(() => r())),
  }
}
