// The generator calls the edge's enrichment (edge/enrich/) and its tests the edge's validation, whose
// signatures name a few Workers globals: the request's `cf` and the R2 bucket of the collector's
// `enrichAll`, and the bindings of the `Env` type (edge/env.ts, through edge/sites.ts). The root tsconfig
// checks Node code without @cloudflare/workers-types (its Request/Response clash with the DOM's), so those
// names are declared here, opaque or as narrowly as the edge's functions use them. The generator passes
// none of them (no `cf`; its own lookups instead of a bucket: `enrichWith`); edge/tsconfig.json checks
// the edge against the real types.
declare global {
  type IncomingRequestCfProperties = { verifiedBotCategory?: string } & Record<string, unknown>
  interface R2Bucket {
    get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>
    put(key: string, value: Uint8Array, options: { onlyIf: Headers }): Promise<unknown>
  }
  interface Fetcher {}
  interface Queue<Body = unknown> {
    send(body: Body): Promise<void>
  }
  interface RateLimit {}
}
export {}
