/**
 * Wire events -> lake rows, for the backfill, by the edge's own enrichment (`enrichWith` in
 * edge/enrich/index.ts): every field the collector writes, the visitor ids included, reaches backfilled
 * lakes. What the edge looks up elsewhere is given here: the same IP-to-country database read from
 * node_modules, and the visitor hash under daily salts derived from the seed instead of random (no salt
 * leaves the generator).
 */
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { countryIn, countryReader } from '../../edge/enrich/geoip.ts'
import { enrichWith, type Lookups } from '../../edge/enrich/index.ts'
import { hashWith, saltKey, type DayHash } from '../../edge/enrich/visitor.ts'
import type { EventRow } from '../../warehouse/schema.ts'
import type { WireEvent } from '../../warehouse/wire.ts'
import type { Visitor } from './model.ts'

/** The database `npm start` uploads for the edge (scripts/geo-db.mjs). */
export const GEO_DB_FILE = createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb')

export interface RowMaker {
  /** The lake row the edge would have made of `e`, sent by visitor `v`. */
  row(e: WireEvent, v: Visitor): Promise<EventRow>
}

export function rowMaker(site: string, seed: string): RowMaker {
  const geo = countryReader(readFileSync(GEO_DB_FILE))
  const countries = new Map<string, Promise<string | null>>()
  // A visitor's id is the same all day: each day's hash is kept per input (site | IP | user agent), so the
  // HMAC runs once per visitor and day, as the edge's salt cache runs the R2 lookup once per day.
  const days = new Map<string, Promise<DayHash>>()
  const dayHash = (day: string): Promise<DayHash> => {
    let h = days.get(day)
    if (!h) {
      const salt = createHmac('sha256', `footfall-generator-salt:${seed}`).update(day).digest()
      days.set(day, (h = saltKey(new Uint8Array(salt)).then((key) => memo(hashWith(key)))))
    }
    return h
  }
  const lookups: Lookups = {
    hashes: dayHash,
    country(ip) {
      let c = countries.get(ip)
      if (!c) countries.set(ip, (c = Promise.resolve(countryIn(geo, ip))))
      return c
    },
  }

  return {
    async row(e, v) {
      // What the edge sees: the event, then the batch a moment later (sent when the page is left).
      const received = e.ts + 40 + (e.ts % 400)
      const ctx = { site, received, skew: 0, cf: undefined, ip: v.ip, userAgent: v.userAgent, server: false, anonymize: false }
      const [row] = await enrichWith([e], ctx, lookups)
      return row!
    },
  }
}

function memo(hash: DayHash): DayHash {
  const seen = new Map<string, Promise<string>>()
  return (input) => {
    let id = seen.get(input)
    if (!id) {
      if (seen.size > 200_000) seen.clear()
      seen.set(input, (id = hash(input)))
    }
    return id
  }
}
