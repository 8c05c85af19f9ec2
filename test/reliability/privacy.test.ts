/**
 * Scenario 8, privacy, on `wrangler dev` (loopback): the client IPs a load used (IPv4 and IPv6, in
 * CF-Connecting-IP, and in the `ip` field of server-side events) appear nowhere: not in any R2 object (every
 * object of the persisted bucket, Parquet files decoded value by value), not in any file of Miniflare's
 * persisted state, not in wrangler's output, not in any answer. And the daily salts, the only link from a
 * visitor id back to an IP, are gone once older than two days, when the cron runs.
 *
 * Forms looked for: the address as text (dotted or colon form, IPv6 also fully expanded), as a decimal or
 * hex 32-bit number (IPv4), in UTF-8 and UTF-16; as raw bytes (4 or 16) in every object that is not
 * compressed Parquet; as a number in any numeric Parquet column. The geo database object is checked to be
 * the unmodified file from npm (it holds address ranges by nature) and left out.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parquetReadObjects } from 'hyparquet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GEO_DB_FILE } from '../../scripts/geo-db.mjs'
import { readBooks, waitForLakeQuiet } from './support/stack-lake.ts'
import { CHROME_UA, clientIps, runLoad } from './support/stack-load.ts'
import { readBucket } from './support/stack-r2.ts'
import { runCron, startDevStack, type DevStack } from './support/stack-dev.ts'
import { DAY } from '../../warehouse/time.ts'

const LOAD_IPS = clientIps(16, 8)
const SERVER_IPS = ['198.51.100.201', '2001:db8:ff::42'] // named by server-side events in their `ip` field
const REFUSED_IP = '203.0.113.250' // sends refused requests only (400, 403)
const ALL_IPS = [...LOAD_IPS, ...SERVER_IPS, REFUSED_IP]

/** IPv6 in full: eight groups of four hex digits. */
function expand6(ip: string): string {
  const [head, tail = ''] = ip.split('::')
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h
  return groups.map((g) => g.padStart(4, '0')).join(':')
}

/** The textual forms of one address, and its raw bytes. */
function formsOf(ip: string): { text: string[]; bytes: Uint8Array; number?: number } {
  if (ip.includes(':')) {
    const full = expand6(ip)
    const bytes = Uint8Array.from(full.split(':').flatMap((g) => [parseInt(g.slice(0, 2), 16), parseInt(g.slice(2), 16)]))
    return { text: [ip, full, full.replaceAll(':', '')], bytes }
  }
  const octets = ip.split('.').map(Number)
  const number = ((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!
  return { text: [ip, String(number), number.toString(16).padStart(8, '0')], bytes: Uint8Array.from(octets), number }
}

const FORMS = ALL_IPS.map((ip) => ({ ip, ...formsOf(ip) }))

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer
    return i
  }
  return -1
}

const utf16 = (s: string) => new Uint8Array(Buffer.from(s, 'utf16le'))

/** Findings in bytes: textual forms (UTF-8 and UTF-16), and the raw address bytes if `raw`. */
function scanBytes(where: string, bytes: Uint8Array, raw: boolean): string[] {
  const found: string[] = []
  const text = Buffer.from(bytes).toString('latin1').toLowerCase()
  for (const f of FORMS) {
    for (const t of f.text) {
      if (text.includes(t.toLowerCase())) found.push(`${where}: ${f.ip} as "${t}"`)
      if (indexOfBytes(bytes, utf16(t)) >= 0) found.push(`${where}: ${f.ip} as UTF-16 "${t}"`)
    }
    if (raw && indexOfBytes(bytes, f.bytes) >= 0) found.push(`${where}: ${f.ip} as ${f.bytes.length} raw bytes`)
  }
  return found
}

/** Findings in decoded Parquet rows: any value's text, and any number equal to an IPv4 address. */
async function scanParquet(where: string, bytes: Uint8Array): Promise<{ rows: number; found: string[] }> {
  const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer })
  const text = JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
  const found = scanBytes(`${where} (decoded)`, new TextEncoder().encode(text), false)
  const numbers = new Set(FORMS.flatMap((f) => (f.number === undefined ? [] : [f.number])))
  for (const row of rows) {
    for (const [col, v] of Object.entries(row))
      if ((typeof v === 'number' || typeof v === 'bigint') && numbers.has(Number(v)))
        found.push(`${where}: column ${col} holds an address as a number`)
  }
  return { rows: rows.length, found }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

let stack: DevStack
beforeAll(async () => {
  stack = await startDevStack()
})
afterAll(async () => {
  await stack?.dispose()
})

describe('reliability: privacy', () => {
  const answers: string[] = []
  const keep = (status: number, headers: Headers, body: string) => answers.push(`${status} ${JSON.stringify([...headers])} ${body}`)
  const post = async (body: unknown, headers: Record<string, string>) => {
    const res = await fetch(`${stack.url}/e`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'text/plain', 'User-Agent': CHROME_UA, ...headers },
    })
    const text = await res.text()
    keep(res.status, res.headers, text)
    return res.status
  }

  it('keeps no client IP in R2, in the persisted state, in the logs or in any answer', async () => {
    const load = await runLoad({
      url: stack.url,
      events: 3000,
      perRequest: 50,
      senders: 4,
      ips: LOAD_IPS,
      idPrefix: 'priv',
      onAnswer: keep,
    })
    expect(load.acked.size).toBe(3000)
    // Server-side events name the visitor's IP themselves; refused requests come from an IP too.
    const now = Date.now()
    const server = SERVER_IPS.map((ip, i) => ({
      id: `priv-server-${i}0000`,
      type: 'pageview',
      ts: now,
      url: 'http://localhost/checkout',
      ip,
      ua: CHROME_UA,
    }))
    expect(await post({ site: 'demo', sentAt: now, events: server }, { Authorization: 'Bearer demo-server-key' })).toBe(202)
    expect(
      await post(
        { site: 'demo', sentAt: now, events: [{ id: 'priv-bad-00001', type: 'pageview', ts: now }] },
        { Origin: 'http://localhost', 'CF-Connecting-IP': REFUSED_IP },
      ),
    ).toBe(400)
    expect(
      await post(
        { site: 'demo', sentAt: now, events: [{ id: 'priv-bad-00002', type: 'pageview', ts: now, url: 'http://localhost/' }] },
        { Origin: 'http://evil.example', 'CF-Connecting-IP': REFUSED_IP },
      ),
    ).toBe(403)

    await waitForLakeQuiet(stack, 3002, 60_000)
    // The drop ledger reaches the lake after its flush delay (5 s) and a consumer batch.
    const end = Date.now() + 30_000
    while (!(await droppedListed())) {
      if (Date.now() > end) throw new Error('the drop ledger never reached the lake')
      await new Promise((r) => setTimeout(r, 500))
    }
    const books = await readBooks(stack, 'priv', [...load.acked.keys(), ...server.map((e) => e.id)])
    expect([books.lost.length, books.viewRows]).toEqual([0, 3002])
    await stack.stop()

    // The scanner does find what it looks for: the bodies that carried the server-side IPs, raw bytes.
    expect(scanBytes('control', new TextEncoder().encode(JSON.stringify(server)), false)).toHaveLength(2)
    expect(scanBytes('control', utf16(`x ${FORMS[0]!.text[1]} y`), false)).toHaveLength(1)
    expect(scanBytes('control', Uint8Array.from([7, ...FORMS.at(-2)!.bytes, 7]), true)).toHaveLength(1)

    const objects = await readBucket(stack.persistTo)
    const findings: string[] = []
    const geo = objects.find((o) => o.key === 'geo/country.mmdb')!
    expect(sha(geo.bytes)).toBe(sha(await readFile(GEO_DB_FILE)))
    let decoded = 0
    for (const o of objects.filter((o) => o !== geo)) {
      findings.push(...scanBytes(`R2 ${o.key} metadata`, new TextEncoder().encode(JSON.stringify(o.customMetadata)), false))
      if (o.key.endsWith('.parquet')) {
        const r = await scanParquet(`R2 ${o.key}`, o.bytes)
        decoded += r.rows
        findings.push(...r.found)
      } else findings.push(...scanBytes(`R2 ${o.key}`, o.bytes, true))
    }
    expect(objects.map((o) => o.key.split('/')[0])).toEqual(expect.arrayContaining(['events', 'dropped', 'salts', 'geo']))
    expect(decoded).toBeGreaterThanOrEqual(3002)
    // Every file of the persisted state (R2 blobs and SQLite metadata, cache...): text forms.
    const geoSha = sha(geo.bytes)
    for (const path of await filesUnder(stack.persistTo)) {
      const bytes = new Uint8Array(await readFile(path))
      if (bytes.length === geo.bytes.length && sha(bytes) === geoSha) continue
      findings.push(...scanBytes(path.slice(stack.persistTo.length), bytes, false))
    }
    findings.push(...scanBytes('wrangler output', new TextEncoder().encode(stack.logs()), false))
    findings.push(...scanBytes('answers', new TextEncoder().encode(answers.join('\n')), false))
    expect(answers.length).toBeGreaterThan(60)
    console.log(
      `privacy: ${ALL_IPS.length} client IPs looked for in ${objects.length} R2 objects (${decoded} Parquet rows decoded), ${(await filesUnder(stack.persistTo)).length} state files, ${stack.logs().length} bytes of wrangler output, ${answers.length} answers: ${findings.length} found`,
    )
    expect(findings).toEqual([])
  }, 240_000)

  it('deletes the salts older than two days when the cron runs', async () => {
    const today = new Date().toISOString().slice(0, 10)
    const salts = async () => (await readBucket(stack.persistTo)).filter((o) => o.key.startsWith('salts/'))
    const [salt] = await salts()
    expect(salt?.key).toBe(`salts/${today}`)

    // Two days on, today's salt is still kept (a visit crossing midnight links yesterday's id to today's).
    await stack.restart({ assets: false })
    await runCron(stack, Date.now() + 2 * DAY)
    await stack.stop()
    expect((await salts()).map((o) => o.key)).toEqual([`salts/${today}`])

    // Three days on it is deleted: no object and no file of the state holds its bytes any more.
    await stack.restart({ assets: false })
    await runCron(stack, Date.now() + 3 * DAY)
    await stack.stop()
    expect(await salts()).toEqual([])
    for (const path of await filesUnder(stack.persistTo))
      expect(indexOfBytes(new Uint8Array(await readFile(path)), salt!.bytes), path).toBe(-1)
  }, 120_000)

  async function droppedListed() {
    const res = await fetch(`${stack.url}/api/files?site=demo&table=dropped&from=${Date.now() - DAY}&to=${Date.now() + DAY}`, {
      headers: { Authorization: `Bearer ${stack.token}` },
    })
    return res.ok && ((await res.json()) as { files: unknown[] }).files.length > 0
  }
})
