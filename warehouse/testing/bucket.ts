/** An in-memory bucket with R2's list semantics (prefix, delimiter, 1,000-key pages): compaction in Node. */
import type { LakeBucket } from '../compact.ts'

interface Stored {
  body: ArrayBuffer
  size: number
  uploaded: Date
  customMetadata: Record<string, string>
}

export class MemoryBucket implements LakeBucket {
  readonly objects = new Map<string, Stored>()

  async list({ prefix = '', delimiter, cursor }: { prefix?: string; delimiter?: string; cursor?: string }) {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort()
    if (delimiter) {
      const prefixes = keys
        .filter((k) => k.slice(prefix.length).includes(delimiter))
        .map((k) => prefix + k.slice(prefix.length).split(delimiter)[0] + delimiter)
      return { objects: [], delimitedPrefixes: [...new Set(prefixes)], truncated: false }
    }
    const start = Number(cursor ?? 0)
    const page = keys.slice(start, start + 1000)
    return {
      objects: page.map((key) => ({ key, ...this.objects.get(key)! })),
      delimitedPrefixes: [],
      truncated: start + 1000 < keys.length,
      cursor: String(start + 1000),
    }
  }

  async get(key: string) {
    const o = this.objects.get(key)
    return o ? { arrayBuffer: async () => o.body } : null
  }

  async put(key: string, body: ArrayBuffer, opts: { customMetadata?: Record<string, string> } = {}) {
    this.objects.set(key, { body, size: body.byteLength, uploaded: new Date(), customMetadata: opts.customMetadata ?? {} })
  }

  async delete(keys: string | string[]) {
    for (const k of [keys].flat()) this.objects.delete(k)
  }
}
