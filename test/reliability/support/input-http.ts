/**
 * HTTP helpers of the input scenarios (hostile corpus, fuzzing, injection, access, headers): requests to a
 * real `wrangler dev` stack, raw bytes on a socket where fetch would tidy a request up (a lying
 * Content-Length, a `..` in a path), and the lake read back with hyparquet through the lake API.
 */
import { connect } from 'node:net'
import { parquetReadObjects } from 'hyparquet'
import type { Stack } from '../../helpers/stack.ts'

export const DAY = 86_400_000

/** A page of the demo site: the local stack allows hosts 127.0.0.1 and localhost for site "demo". */
export const PAGE = 'http://localhost/'

/** A valid wire event (the tracker's shape, warehouse/wire.ts). */
export function wireEvent(id: string, extra: Record<string, unknown> = {}, ts = Date.now()): Record<string, unknown> {
  return { id, type: 'pageview', ts, url: `${PAGE}r/`, ...extra }
}

export const batch = (events: unknown[], sentAt = Date.now(), site = 'demo') => ({ site, sentAt, events })

export interface Answer {
  status: number
  headers: Headers
  text: string
  /** The parsed JSON body, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text()
  let json: Record<string, unknown> | undefined
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json }
}

/** A desktop Chrome: events sent with it are people, not bots (which the dashboard leaves out by default). */
export const CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'

/** A browser-like POST /e (text/plain, no preflight), from a page of the demo site unless headers say otherwise. */
export async function postEvents(stack: Stack, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const payload: BodyInit = typeof body === 'string' ? body : body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body)
  return answer(
    await fetch(`${stack.url}/e`, {
      method: 'POST',
      body: payload,
      headers: { 'Content-Type': 'text/plain', Origin: 'http://localhost', 'User-Agent': CHROME_UA, ...headers },
    }),
  )
}

/** Any request to the stack, answered. */
export async function request(stack: Stack, path: string, init: RequestInit = {}): Promise<Answer> {
  return answer(await fetch(stack.url + path, init))
}

/** Sends raw bytes on a fresh TCP connection and parses the HTTP/1.1 answer (read until the server closes or the body is complete). */
export async function raw(stack: Stack, bytes: string | Uint8Array, ms = 15_000): Promise<Answer> {
  const { hostname, port } = new URL(stack.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    const timer = setTimeout(() => (socket.destroy(), reject(new Error('raw request timed out'))), ms)
    const done = () => {
      const all = Buffer.concat(chunks)
      const head = all.indexOf('\r\n\r\n')
      if (head < 0) return false
      const lines = all.subarray(0, head).toString('latin1').split('\r\n')
      const status = Number(lines[0]!.split(' ')[1])
      const headers = new Headers()
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':')
        if (i > 0) headers.append(l.slice(0, i).trim(), l.slice(i + 1).trim())
      }
      let body: Buffer = all.subarray(head + 4)
      const length = headers.get('Content-Length')
      if (length !== null && body.length < Number(length)) return false
      if (headers.get('Transfer-Encoding')?.includes('chunked')) {
        if (!body.includes('\r\n0\r\n\r\n') && !body.subarray(0, 5).equals(Buffer.from('0\r\n\r\n'))) return false
        body = dechunk(body)
      }
      clearTimeout(timer)
      socket.destroy()
      const text = body.toString('utf8')
      let json: Record<string, unknown> | undefined
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
      resolve({ status, headers, text, json })
      return true
    }
    socket.on('data', (d) => (chunks.push(d), done()))
    socket.on(
      'end',
      () =>
        done() ||
        (clearTimeout(timer),
        reject(new Error(`connection closed without an answer: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`))),
    )
    socket.on('error', (e) => (clearTimeout(timer), reject(e)))
    socket.write(bytes)
  })
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = b.indexOf('\r\n', at)
    const size = parseInt(b.subarray(at, eol).toString('latin1'), 16)
    if (!size) return Buffer.concat(out)
    out.push(b.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
}

/** The lake's files of a table for a site over the last week (and the next day), through the lake API. */
export async function lakeFiles(
  stack: Stack,
  table: 'events' | 'dropped' = 'events',
  site = 'demo',
): Promise<{ key: string; url: string; rows: number }[]> {
  const q = new URLSearchParams({ site, table, from: String(Date.now() - 7 * DAY), to: String(Date.now() + DAY) })
  const res = await fetch(`${stack.url}/api/files?${q}`, { headers: { Authorization: `Bearer ${stack.token}` } })
  if (!res.ok) throw new Error(`/api/files: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { files: { key: string; url: string; rows: number }[] }).files
}

/** Every row stored in a table, read back with hyparquet (a real Parquet reader). */
export async function lakeRows(stack: Stack, table: 'events' | 'dropped' = 'events', site = 'demo'): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = []
  for (const f of await lakeFiles(stack, table, site)) {
    const res = await fetch(stack.url + f.url, { headers: { Authorization: `Bearer ${stack.token}` } })
    if (!res.ok) throw new Error(`${f.url}: ${res.status}`)
    rows.push(...(await parquetReadObjects({ file: await res.arrayBuffer() })))
  }
  return rows
}

/** Waits until the rows of a table satisfy `done`, and returns them. */
export async function waitForRows(
  stack: Stack,
  done: (rows: Record<string, unknown>[]) => boolean,
  table: 'events' | 'dropped' = 'events',
  ms = 60_000,
): Promise<Record<string, unknown>[]> {
  const end = Date.now() + ms
  let rows: Record<string, unknown>[] = []
  while (Date.now() < end) {
    rows = await lakeRows(stack, table)
    if (done(rows)) return rows
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`the ${table} table never reached the expected state (${rows.length} rows)`)
}

/** Another origin on loopback (another port): a blank page a browser test can run cross-origin requests from. */
export async function startOtherOrigin(port: number): Promise<{ url: string; close: () => Promise<void> }> {
  const { createServer } = await import('node:http')
  const server = createServer((_, res) =>
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>another site</title>'),
  )
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) }
}
