// The generator and its tests reuse the edge's pure functions (enrichment, validation), whose modules name
// a few Workers globals in signatures and in the Env type. The root tsconfig checks Node code without
// @cloudflare/workers-types (its Request/Response clash with the DOM's), so those names are declared here,
// opaque or as narrowly as those functions use them. Nothing of the generator calls a binding.
declare global {
  type IncomingRequestCfProperties = { verifiedBotCategory?: string } & Record<string, unknown>
  interface R2Bucket {
    get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>
  }
  interface Fetcher {}
  interface Queue<Body = unknown> {
    send(body: Body): Promise<void>
  }
  interface RateLimit {}
}
export {}
