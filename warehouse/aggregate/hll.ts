/**
 * A HyperLogLog sketch of distinct visitors, mergeable across days: 2^12 registers, standard error
 * 1.04 / sqrt(4096) = 1.6 %. Register and rank are taken at write time from the visitor key itself (the
 * visitor id is an HMAC, so its bits are uniform): no engine's hash function is involved, and native
 * DuckDB and DuckDB-WASM merge and estimate the same registers the same way (warehouse/sql/aggregates.ts).
 *
 * Stored as text, one character per register (`'0' + rank`, rank 0..53), so a day's sketch is one 4 KB
 * string that compresses to a few hundred bytes when most registers are empty.
 */

/** log2 of the number of registers. */
export const HLL_P = 12
export const HLL_REGISTERS = 1 << HLL_P
/** The character of rank 0 (an empty register); rank r is `String.fromCharCode(RANK_BASE + r)`. */
export const RANK_BASE = 48

const HEX_KEY = /^[0-9a-f]{16,}$/

/**
 * 64 uniform bits of a visitor key as two 32-bit halves: the first 16 hex digits of a hex id (the
 * visitor HMAC), or a well-mixed 64-bit hash of any other key (`event:<id>` of an anonymised event): two
 * multiply-xor lanes with a final avalanche (the cyrb53 construction), in 32-bit integer arithmetic.
 */
export function keyBits(key: string): [hi: number, lo: number] {
  if (HEX_KEY.test(key)) return [parseInt(key.slice(0, 8), 16) >>> 0, parseInt(key.slice(8, 16), 16) >>> 0]
  let h1 = 0xdeadbeef,
    h2 = 0x41c6ce57
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return [h1 >>> 0, h2 >>> 0]
}

/** The register (0..4095) and rank (1..53) a key sets. */
export function registerOf(key: string): [register: number, rank: number] {
  const [hi, lo] = keyBits(key)
  const register = hi >>> (32 - HLL_P)
  // The rank: position of the first 1 in the 52 bits after the register bits (53 when all are zero).
  const rest = (hi << HLL_P) >>> 0 // 20 bits, left-aligned
  if (rest !== 0) return [register, Math.clz32(rest) + 1]
  return [register, lo !== 0 ? 32 - HLL_P + Math.clz32(lo) + 1 : 32 - HLL_P + 32 + 1]
}

/** The registers of one sketch. */
export class Sketch {
  readonly registers = new Uint8Array(HLL_REGISTERS)
  add(key: string): void {
    const [r, rank] = registerOf(key)
    if (rank > this.registers[r]!) this.registers[r] = rank
  }
  merge(other: Sketch): void {
    for (let i = 0; i < HLL_REGISTERS; i++) if (other.registers[i]! > this.registers[i]!) this.registers[i] = other.registers[i]!
  }
  /** As stored: one character per register. */
  toText(): string {
    return String.fromCharCode(...Array.from(this.registers, (r) => RANK_BASE + r))
  }
  static fromText(text: string): Sketch {
    const s = new Sketch()
    for (let i = 0; i < HLL_REGISTERS; i++) s.registers[i] = text.charCodeAt(i) - RANK_BASE
    return s
  }
  /** The estimate, as the SQL computes it (`hllEstimate` in warehouse/sql/aggregates.ts). */
  estimate(): number {
    let sum = 0,
      zeros = 0
    for (const r of this.registers) (sum += 2 ** -r), r === 0 && zeros++
    return estimate(sum, zeros)
  }
}

/** alpha_m for m = 4096 (Flajolet et al.). */
export const HLL_ALPHA = 0.7213 / (1 + 1.079 / HLL_REGISTERS)

/**
 * The HyperLogLog estimate from the sum of 2^-rank over the registers and the number of empty ones: linear
 * counting while the raw estimate is at most 2.5 m and a register is empty (small sets, where it is nearly
 * exact), else the raw estimate; rounded to a whole visitor.
 */
export function estimate(sum: number, zeros: number): number {
  const m = HLL_REGISTERS
  const raw = (HLL_ALPHA * m * m) / sum
  return Math.round(raw <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : raw)
}
