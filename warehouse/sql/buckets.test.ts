import { describe, expect, it } from 'vitest'
import { bucketFor } from './buckets.ts'

describe('time buckets', () => {
  it('picks a bucket for the range', () => {
    expect(bucketFor({ from: 0, to: 3_600_000 })).toBe('minute')
    expect(bucketFor({ from: 0, to: 24 * 3_600_000 })).toBe('hour')
    expect(bucketFor({ from: 0, to: 30 * 24 * 3_600_000 })).toBe('day')
    expect(bucketFor({ from: 0, to: 365 * 24 * 3_600_000 })).toBe('week')
  })
})
