// The edge's pure enrich functions (reused by the backfill) name two Workers globals in their signatures.
// The root tsconfig checks Node code without @cloudflare/workers-types (whose Request/Response clash with
// the DOM's), so the two names are declared here as narrowly as those functions use them.
declare global {
  type IncomingRequestCfProperties = { verifiedBotCategory?: string } & Record<string, unknown>
  interface R2Bucket {
    get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>
  }
}
export {}
