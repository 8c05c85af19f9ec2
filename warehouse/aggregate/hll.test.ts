import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { estimate, HLL_REGISTERS, registerOf, Sketch } from './hll.ts'

/** Visitor ids as the edge makes them: a keyed hash, 32 hex digits. */
const hex = (i: number) => createHash('sha256').update(String(i)).digest('hex').slice(0, 32)

describe('HyperLogLog of visitor keys', () => {
  it('takes register and rank from the hex visitor id itself', () => {
    // 0x00f = register 15; the next 20 bits start with 0001 -> rank 4.
    expect(registerOf('00f1' + '0'.repeat(28))).toEqual([15, 4])
    expect(registerOf('fff' + '0'.repeat(29))).toEqual([4095, 53])
  })

  it('counts small sets exactly and large ones within the 1.6 % standard error (3 sigma bound)', () => {
    for (const n of [1, 10, 100, 1000]) {
      const s = new Sketch()
      for (let i = 0; i < n; i++) s.add(hex(i))
      expect(Math.abs(s.estimate() - n) / n, `n=${n}`).toBeLessThan(n <= 100 ? 0.02 : 0.05)
    }
    for (const [name, key] of [
      ['hex ids', hex],
      ['anonymised keys', (i: number) => `event:e${i}`],
    ] as const) {
      const s = new Sketch()
      for (let i = 0; i < 100_000; i++) s.add(key(i))
      expect(Math.abs(s.estimate() - 100_000) / 100_000, name).toBeLessThan((3 * 1.04) / Math.sqrt(HLL_REGISTERS))
    }
  })

  it('merges as a union: a key seen on two days counts once', () => {
    const a = new Sketch(),
      b = new Sketch()
    for (let i = 0; i < 5000; i++) a.add(hex(i))
    for (let i = 2500; i < 7500; i++) b.add(hex(i))
    a.merge(b)
    expect(Math.abs(a.estimate() - 7500) / 7500).toBeLessThan(0.05)
    expect(Sketch.fromText(a.toText()).registers).toEqual(a.registers)
    expect(estimate(HLL_REGISTERS, HLL_REGISTERS)).toBe(0)
  })
})
