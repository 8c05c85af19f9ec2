/**
 * DuckDB-WASM's engine is 34 MB, over the 25 MiB per-file limit of Workers static assets, so the build
 * stores it gzipped (about 8 MB) and this serves it with `Content-Encoding: gzip` as is: the browser
 * inflates it, and the runtime must not compress it again (encodeBody: 'manual').
 */
export async function serveWasm(assets: Fetcher, req: Request): Promise<Response> {
  const url = new URL(req.url)
  url.pathname += '.gz'
  const gz = await assets.fetch(new Request(url, { headers: req.headers }))
  if (!gz.ok) return new Response('not found', { status: 404 })
  const headers = new Headers(gz.headers)
  headers.set('Content-Type', 'application/wasm')
  headers.set('Content-Encoding', 'gzip')
  headers.delete('Content-Length')
  return new Response(gz.body, { status: 200, headers, encodeBody: 'manual' })
}
