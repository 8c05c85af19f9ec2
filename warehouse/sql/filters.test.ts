// The one parameter mechanism: values a user types never become SQL text.
import { beforeAll, describe, expect, it } from 'vitest'
import { golden } from '../testing/golden.ts'
import { openEngines, writeLake, type Engines } from '../testing/lake.ts'
import { DAY_D, shopFiles } from '../testing/shop.ts'
import { breakdown, topPages } from './breakdowns.ts'
import { dimension, isDimension, prop } from './dimensions.ts'
import { parseFilter, where } from './filters.ts'
import { join, literal, sql } from './query.ts'

let db: Engines
beforeAll(async () => {
  db = await openEngines(await writeLake(shopFiles()))
}, 60_000)

describe('sql tag', () => {
  it('turns values into parameters and splices fragments in order', () => {
    const q = sql`SELECT ${1} AS a, ${sql`${'x'} || ${'y'}`} AS b WHERE c = ${true}`
    expect(q).toEqual({ sql: 'SELECT ? AS a, ? || ? AS b WHERE c = ?', params: [1, 'x', 'y', true] })
    expect(join([sql`a = ${1}`, sql`b = ${2}`], ' AND ')).toEqual({ sql: 'a = ? AND b = ?', params: [1, 2] })
    expect(() => sql`${Number.NaN}`).toThrow(/finite/)
  })

  it('escapes the rare literal (DDL, COPY) by doubling quotes', () => {
    expect(literal("it's").sql).toBe("'it''s'")
    expect(() => literal('a\0b')).toThrow()
  })
})

describe('filters', () => {
  it('binds values: an injection attempt is just a value that matches nothing', async () => {
    const evil = "/' OR 1=1 --"
    const q = topPages(DAY_D, { filters: [{ dim: 'path', op: 'is', value: evil }] })
    expect(q.sql).not.toContain(evil)
    expect(q.params).toContain(evil)
    expect(await golden(db, q)).toEqual([])
  })

  it('is not keeps unknown values; several values are alternatives', () => {
    expect(where([{ dim: 'country', op: 'is_not', value: ['DE', 'FR'] }])).toEqual({
      sql: '(country IS NULL OR country NOT IN (?, ?))',
      params: ['DE', 'FR'],
    })
    expect(where([])).toEqual({ sql: 'TRUE', params: [] })
  })

  it('refuses dimensions outside the allow-list and odd property keys', () => {
    expect(isDimension('country')).toBe(true)
    expect(isDimension('prop:size')).toBe(true)
    expect(isDimension('constructor')).toBe(false)
    expect(isDimension('country; DROP TABLE events')).toBe(false)
    expect(() => dimension('1=1' as never)).toThrow(/unknown dimension/)
    expect(() => prop('a"b')).toThrow(/bad property key/)
  })

  it('parses the short form of the CLI and the URL', () => {
    expect(parseFilter('country=DE')).toEqual({ dim: 'country', op: 'is', value: 'DE' })
    expect(parseFilter('path!=/cart')).toEqual({ dim: 'path', op: 'is_not', value: '/cart' })
    expect(parseFilter('prop:plan~pro')).toEqual({ dim: 'prop:plan', op: 'contains', value: 'pro' })
    expect(() => parseFilter('country')).toThrow()
  })

  it('filters on a custom property', async () => {
    const rows = await golden(db, breakdown(DAY_D, 'name', { type: 'event', filters: [{ dim: 'prop:coupon', op: 'is', value: 'SPRING' }] }))
    expect(rows).toEqual([{ value: 'purchase', visitors: 1, pageviews: 0, events: 1 }])
  })
})
