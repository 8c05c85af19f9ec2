/**
 * The language column: the tracker sends no language, the edge takes it from the request's
 * Accept-Language header (first tag, canonical case); an event's own `language` wins, and server-side
 * events keep what they send (their request's header is the backend's, not the visitor's).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { batchOf, clearLake, postEvents, waitForEvents, wireEventAt } from '../test-helpers.ts'
import { languageOf } from './fields.ts'

describe('language from Accept-Language', () => {
  beforeEach(clearLake)

  it('normalises the first tag of the header (in workerd, whose Intl is the one that runs)', () => {
    expect(languageOf('en-US,en;q=0.9')).toBe('en-US')
    expect(languageOf('de-de;q=0.9, en;q=0.8')).toBe('de-DE')
    expect(languageOf(' fr ')).toBe('fr')
    expect(languageOf('zh-hant-tw,zh;q=0.8')).toBe('zh-Hant-TW')
    expect(languageOf('*')).toBeNull()
    expect(languageOf('not a tag!')).toBeNull()
    expect(languageOf('')).toBeNull()
    expect(languageOf(undefined)).toBeNull()
  })

  it('fills the column of browser events that carry none; an event that names its language keeps it', async () => {
    const res = await postEvents(batchOf([wireEventAt('lang-0000001'), wireEventAt('lang-0000002', Date.now(), { language: 'fr-FR' })]), {
      'Accept-Language': 'en-us,en;q=0.9,de;q=0.8',
    })
    expect(await res.json()).toEqual({ accepted: 2, rejected: [] })
    const rows = await waitForEvents('lang-0000001', 'lang-0000002')
    expect(rows.map((r) => [r.event_id, r.language])).toEqual([
      ['lang-0000001', 'en-US'],
      ['lang-0000002', 'fr-FR'],
    ])
  })

  it('leaves the column empty without a usable header', async () => {
    await postEvents(batchOf([wireEventAt('lang-0000003')]))
    await postEvents(batchOf([wireEventAt('lang-0000004')]), { 'Accept-Language': '*' })
    const rows = await waitForEvents('lang-0000003', 'lang-0000004')
    expect(rows.map((r) => r.language)).toEqual([null, null])
  })

  it("server-side events keep what they send, never the backend's header", async () => {
    const key = { Authorization: 'Bearer demo-server-key', 'User-Agent': 'node', Origin: '', 'Accept-Language': 'en-US' }
    const res = await postEvents(
      batchOf([wireEventAt('lang-srv-0001'), wireEventAt('lang-srv-0002', Date.now(), { language: 'ja-JP' })]),
      key,
    )
    expect(await res.json()).toEqual({ accepted: 2, rejected: [] })
    const rows = await waitForEvents('lang-srv-0001', 'lang-srv-0002')
    expect(rows.map((r) => [r.event_id, r.language])).toEqual([
      ['lang-srv-0001', null],
      ['lang-srv-0002', 'ja-JP'],
    ])
  })
})
