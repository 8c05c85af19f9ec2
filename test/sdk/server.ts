/**
 * The customer's site for the SDK browser tests: a real HTTP server on loopback, on another origin than the
 * stack (so every event is a cross-origin request, as in production). It serves the fixture pages of
 * `fixtures/` under any first path segment (`/<run>/page.html`: each test's events carry its own path), with
 * the tracker loaded either by the script tag (`f.js` from the stack) or as the ESM package
 * (`dist/sdk/index.js`), and collectors that misbehave (`/bad/500`, `/bad/429`, `/bad/garbage`, `/bad/hang`).
 *
 * Query of a page: `mode=script|esm|core` (core: `/f.core.js`), `csp=1` (strict Content-Security-Policy), `stub=1` (queue stub and a
 * call before the tracker loads), `report=1` (the page reports `document.prerendering` and its activation
 * to `/report/<run>`), and tracker options: `spa`, `exclude`, `persist`, `respectDnt`,
 * `off` (switches turned off: clicks,outbound,download), `endpoint` (a `/bad/...` path of this server).
 *
 * Prerendering: `/<run>/prerender.html?target=<page>` prerenders `<page>` by Speculation Rules and navigates
 * to it once the test calls `release(run)` (it polls `/go/<run>`).
 */
import { createServer, type Server } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '../..')

export interface FixtureServer {
  url: string
  /** The same server under another host name: links to it are outbound. */
  alt: string
  /** Requests received by the misbehaving collectors, by path, with their receive time. */
  bad: Map<string, number[]>
  /** What pages with `report=1` reported, by run: `document.prerendering` and the navigation's activationStart. */
  reports: Map<string, { prerendering: boolean; activationStart: number; purpose: string }[]>
  /** Lets the prerender start page of `run` navigate to its prerendered page. */
  release: (run: string) => void
  close: () => Promise<void>
}

export async function startFixtures(stackUrl: string, port: number): Promise<FixtureServer> {
  const url = `http://127.0.0.1:${port}`
  const alt = `http://localhost:${port}`
  const bad = new Map<string, number[]>()
  const reports = new Map<string, { prerendering: boolean; activationStart: number; purpose: string }[]>()
  const released = new Set<string>()
  const hanging: import('node:http').ServerResponse[] = []

  const server: Server = createServer(async (req, res) => {
    const u = new URL(req.url!, url)
    const path = u.pathname
    if (path.startsWith('/bad/')) {
      bad.set(path, [...(bad.get(path) ?? []), Date.now()])
      res.setHeader('Access-Control-Allow-Origin', '*')
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After')
      if (path === '/bad/500') return res.writeHead(500).end('{"error":"boom"}')
      if (path === '/bad/429') return res.writeHead(429, { 'Retry-After': '1' }).end('{"error":"slow down"}')
      if (path === '/bad/garbage') return res.writeHead(202, { 'Content-Type': 'application/json' }).end('<html>\u0000not json{{')
      if (path === '/bad/hang') return void hanging.push(res)
    }
    if (path.startsWith('/go/')) return text(res, 'text/plain', released.has(path.slice(4)) ? 'go' : 'wait')
    if (path.startsWith('/report/')) {
      const run = path.slice(8)
      const purpose = String(req.headers['sec-purpose'] ?? '') // "prefetch;prerender" while prerendered
      reports.set(run, [
        ...(reports.get(run) ?? []),
        { prerendering: u.searchParams.get('prerendering') === 'true', activationStart: +u.searchParams.get('activationStart')!, purpose },
      ])
      return res.writeHead(204).end()
    }
    if (path === '/prerender.js') {
      return text(
        res,
        'text/javascript',
        `const run = location.pathname.split('/')[1]
const timer = setInterval(async () => {
  if ((await (await fetch('/go/' + run)).text()) !== 'go') return
  clearInterval(timer)
  document.getElementById('target').click()
}, 100)`,
      )
    }
    if (path === '/report.js') {
      return text(
        res,
        'text/javascript',
        `const report = () => fetch('/report/' + location.pathname.split('/')[1] + '?' + new URLSearchParams({
  prerendering: document.prerendering,
  activationStart: performance.getEntriesByType('navigation')[0].activationStart,
}))
report()
document.addEventListener('prerenderingchange', report)`,
      )
    }
    if (path === '/sdk/index.js') return serve(res, join(ROOT, 'dist/sdk/index.js'), 'text/javascript')
    if (path === '/files/report.pdf') return res.writeHead(204).end()
    if (path === '/stub.js') {
      // The documented queue stub, and one call made before the tracker loads.
      return text(
        res,
        'text/javascript',
        `window.footfall = window.footfall || { q: [], track() { this.q.push(arguments) } }
footfall.track('early', { before: 'load' })`,
      )
    }
    if (path === '/esm-init.js') {
      const o = JSON.parse(u.searchParams.get('o')!)
      return text(
        res,
        'text/javascript',
        `import { init, track, page, identify, flush } from '/sdk/index.js'
init(${JSON.stringify(o)})
window.footfall = { track, page, identify, flush }`,
      )
    }
    const file = path.split('/').pop()!
    if (!/^[a-z]+\.html$/.test(file)) return res.writeHead(404).end()
    const q = u.searchParams
    let html = await readFile(join(import.meta.dirname, 'fixtures', file), 'utf8')
    html = html.replaceAll('%ALT%', alt + path.slice(0, path.lastIndexOf('/'))).replace('%TRACKER%', tracker(q, stackUrl, url))
    html = html.replaceAll('%TARGET%', JSON.stringify(q.get('target') ?? ''))
    if (q.get('csp')) {
      // Only our two origins may run scripts and receive requests: no inline script, no eval (the page's own
      // inline style and data: icon are allowed).
      res.setHeader(
        'Content-Security-Policy',
        `default-src 'none'; script-src ${url} ${stackUrl}; connect-src ${stackUrl}; img-src data:; style-src 'unsafe-inline'`,
      )
    }
    text(res, 'text/html', html)
  })
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return {
    url,
    alt,
    bad,
    reports,
    release: (run) => void released.add(run),
    close: async () => {
      for (const r of hanging) r.destroy()
      await new Promise((r) => server.close(r))
    },
  }
}

/** The tracker's loading tags for the page's query: script tag with data- attributes, or the ESM package. */
function tracker(q: URLSearchParams, stackUrl: string, url: string): string {
  const endpoint = q.get('endpoint') ? url + q.get('endpoint') : undefined
  const report = q.get('report') ? `<script src="/report.js"></script>` : ''
  const stub = report + (q.get('stub') ? `<script src="/stub.js"></script>` : '')
  const off = q.get('off')?.split(',') ?? []
  if (q.get('mode') === 'esm') {
    const o = {
      site: 'demo',
      endpoint: endpoint ?? `${stackUrl}/e`,
      localhost: true,
      automation: true,
      spa: q.get('spa') ?? undefined,
      exclude: q.get('exclude')?.split(','),
      persist: !!q.get('persist'),
      respectDnt: !!q.get('respectDnt'),
      ...Object.fromEntries(off.map((k) => [k, false])),
    }
    return `${report}<script type="module" src="/esm-init.js?o=${encodeURIComponent(JSON.stringify(o))}"></script>`
  }
  if (q.get('mode') === 'core') return `${stub}<script defer src="${stackUrl}/f.core.js" data-site="demo"></script>`
  const attrs = [
    `data-site="demo"`,
    'data-localhost',
    'data-automation',
    endpoint && `data-endpoint="${endpoint}"`,
    q.get('spa') && `data-spa="${q.get('spa')}"`,
    q.get('exclude') && `data-exclude="${q.get('exclude')}"`,
    q.get('persist') && 'data-persist',
    q.get('respectDnt') && 'data-respect-dnt',
    ...off.map((k) => `data-${k}="off"`),
  ].filter(Boolean)
  return `${stub}<script defer src="${stackUrl}/f.js" ${attrs.join(' ')}></script>`
}

async function serve(res: import('node:http').ServerResponse, path: string, type: string): Promise<void> {
  text(res, type, await readFile(path, 'utf8'))
}

function text(res: import('node:http').ServerResponse, type: string, body: string): void {
  // no-cache, not no-store: a no-store page never enters Chromium's back/forward cache.
  res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-cache' }).end(body)
}
