/**
 * A small seeded random source (sfc32, seeded through splitmix32), so a generator run is reproducible:
 * the same seed gives the same visitors, sessions and files.
 */
export class Random {
  private a: number
  private b: number
  private c: number
  private d: number
  private readonly seed: number

  constructor(seed: number | string) {
    this.seed = typeof seed === 'number' ? seed >>> 0 : hash32(seed)
    let s = this.seed
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = next()
    this.b = next()
    this.c = next()
    this.d = next()
    for (let i = 0; i < 12; i++) this.next()
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t / 4294967296
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!
  }

  /** Picks from `[weight, value]` pairs. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    let total = 0
    for (const [w] of choices) total += w
    let r = this.next() * total
    for (const [w, v] of choices) if ((r -= w) < 0) return v
    return choices[choices.length - 1]![1]
  }

  /** Log-normal around `median` (spread: the sigma of the log): think times, page counts. */
  logNormal(median: number, spread: number): number {
    const u = 1 - this.next(),
      v = this.next()
    return median * Math.exp(spread * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v))
  }

  /** A child source for one independent stream (a visitor, a day), stable whatever else was drawn. */
  fork(label: string | number): Random {
    return new Random(hash32(`${this.seed}:${label}`))
  }
}

/** FNV-1a, 32 bits. */
export function hash32(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}
