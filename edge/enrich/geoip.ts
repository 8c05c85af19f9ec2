/**
 * Country from an IP address, where `request.cf` has no geo (other runtimes) or does not describe the
 * visitor (server-side events, which name the visitor's IP). The database is geo-whois-asn-country
 * (CC0, from the npm package @ip-location-db/geo-whois-asn-country-mmdb), held in R2 at `GEO_KEY`
 * (uploaded by `npm start` and `npm run deploy`) and read with mmdb-lib, once per isolate.
 */
import { Buffer } from 'node:buffer'
import { Reader, type CountryResponse } from 'mmdb-lib'
import { MINUTE } from '../../warehouse/time.ts'

export const GEO_KEY = 'geo/country.mmdb'
const RETRY_MISSING_MS = MINUTE

export type CountryReader = Reader<CountryResponse>
let database: Promise<CountryReader | null> | undefined
let missingSince = 0

export async function countryOfIp(lake: R2Bucket, ip: string): Promise<string | null> {
  if (!ip) return null
  // A missing database is looked for again after a minute, not on every request.
  if (!database || (missingSince && Date.now() - missingSince > RETRY_MISSING_MS)) {
    database = load(lake).then((r) => ((missingSince = r ? 0 : Date.now()), r))
  }
  const db = await database
  return db ? countryIn(db, ip) : null
}

/** The database's reader over its bytes (the file of `GEO_KEY`). */
export function countryReader(bytes: Uint8Array): CountryReader {
  return new Reader<CountryResponse>(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
}

/** The country code of `ip` in an open database; null when unknown or not an IP address. */
export function countryIn(db: CountryReader, ip: string): string | null {
  try {
    // geo-whois-asn-country stores { country_code }, not the GeoIP2 shape mmdb-lib's types describe.
    return (db.get(ip) as { country_code?: string } | null)?.country_code ?? null
  } catch {
    return null // not an IP address
  }
}

async function load(lake: R2Bucket) {
  try {
    const obj = await lake.get(GEO_KEY)
    if (!obj) return null
    return countryReader(new Uint8Array(await obj.arrayBuffer()))
  } catch (e) {
    console.error('geo database unreadable', (e as Error).message)
    return null
  }
}

/** Continent code of a country (ISO 3166 alpha-2), for rows whose geo came from the IP database. */
export function continentOf(country: string | null): string | null {
  return (country && CONTINENT.get(country)) || null
}

const COUNTRIES_BY_CONTINENT: Record<string, string> = {
  EU: 'AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK',
  AS: 'AE AF AM AZ BD BH BN BT CC CN CX GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE',
  AF: 'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW',
  NA: 'AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI',
  SA: 'AR BO BR CL CO EC FK GF GY PE PY SR UY VE',
  OC: 'AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS',
  AN: 'AQ BV GS HM TF',
}
const CONTINENT = new Map(
  Object.entries(COUNTRIES_BY_CONTINENT).flatMap(([continent, list]) => list.split(' ').map((c) => [c, continent] as const)),
)
