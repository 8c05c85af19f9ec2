/**
 * Wire events -> lake rows, for the backfill, with the edge's own enrichment functions (source and
 * channel, user agent, bot flag, continent) and the same IP-to-country database. What needs the live
 * edge is made the same way: the visitor id is the edge's HMAC-SHA256 of (site | IP | user agent) under a
 * daily salt, here derived from the seed instead of random (no salt leaves the generator).
 */
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Reader, type CountryResponse } from 'mmdb-lib'
import { botReason } from '../../edge/enrich/bot.ts'
import { continentOf } from '../../edge/enrich/geoip.ts'
import { eventFields } from '../../edge/enrich/fields.ts'
import { sourceOf, type Source } from '../../edge/enrich/source.ts'
import { agentFrom, type Agent } from '../../edge/enrich/ua.ts'
import type { EventRow } from '../../warehouse/schema.ts'
import type { WireEvent } from '../../warehouse/wire.ts'
import { SESSION_GAP_MS } from '../../warehouse/session-gap.ts'
import type { Visitor } from './model.ts'

const DAY_MS = 86_400_000
/** The database `npm start` uploads for the edge (scripts/geo-db.mjs). */
export const GEO_DB_FILE = createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb')

export interface RowMaker {
  /** The lake row the edge would have made of `e`, sent by visitor `v`. */
  row(e: WireEvent, v: Visitor): EventRow
}

export function rowMaker(site: string, seed: string): RowMaker {
  // geo-whois-asn-country stores { country_code }, not the GeoIP2 shape mmdb-lib's types describe (as in geoip.ts).
  const geo = new Reader<CountryResponse>(readFileSync(GEO_DB_FILE))
  const agents = new Map<string, Agent & { bot: string | null }>()
  const countries = new Map<string, string | null>()
  const sources = new Map<string, Source>()
  const salts = new Map<string, Buffer>()
  const saltOf = (day: string) => {
    let s = salts.get(day)
    if (!s) salts.set(day, (s = createHmac('sha256', `footfall-generator-salt:${seed}`).update(day).digest()))
    return s
  }
  const ids = new Map<string, string>()
  const visitorId = (day: string, v: Visitor) => {
    const key = `${day}|${v.index}`
    let id = ids.get(key)
    if (id === undefined) {
      if (ids.size > 200_000) ids.clear()
      ids.set(key, (id = createHmac('sha256', saltOf(day)).update(`${site}|${v.ip}|${v.userAgent}`).digest('hex').slice(0, 32)))
    }
    return id
  }

  return {
    row(e, v) {
      let agent = agents.get(v.userAgent)
      if (!agent) agents.set(v.userAgent, (agent = { ...agentFrom(v.userAgent), bot: botReason(v.userAgent) }))
      let country = countries.get(v.ip)
      if (country === undefined) countries.set(v.ip, (country = (geo.get(v.ip) as { country_code?: string } | null)?.country_code ?? null))
      const sourceKey = `${e.url}\n${e.referrer ?? ''}`
      let source = sources.get(sourceKey)
      if (!source) {
        if (sources.size > 100_000) sources.clear()
        sources.set(sourceKey, (source = sourceOf(e.url, e.referrer)))
      }
      const day = new Date(e.ts).toISOString().slice(0, 10)
      const prevDay = e.ts % DAY_MS < SESSION_GAP_MS ? new Date(e.ts - DAY_MS).toISOString().slice(0, 10) : null
      const { bot, ...ua } = agent
      return {
        event_id: e.id,
        site,
        type: e.type,
        event_time: e.ts,
        client_time: e.ts,
        // What the edge sees: the event, then the batch a moment later (sent when the page is left).
        received_time: e.ts + 40 + (e.ts % 400),
        visitor_id: visitorId(day, v),
        visitor_id_prev: prevDay ? visitorId(prevDay, v) : null,
        ...source,
        ...eventFields(e),
        country,
        region: null,
        city: null,
        continent: continentOf(country),
        timezone: null,
        asn: null,
        colo: null,
        ...ua,
        is_bot: bot !== null,
        bot_reason: bot,
      }
    },
  }
}
