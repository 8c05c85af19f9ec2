/**
 * Turns a valid wire event into a lake row: times, source, geo, user agent, bot flag, visitor ids. The
 * collector calls `enrichAll` (salts and the IP database in R2); the generator's backfill calls
 * `enrichWith` with its own salts and the same database, so backfilled lakes get every field the edge writes.
 */
import type { EventRow } from '../../warehouse/schema.ts'
import { SESSION_GAP_MS } from '../../warehouse/session-gap.ts'
import type { WireEvent } from '../../warehouse/wire.ts'
import { botReason } from './bot.ts'
import { continentOf, countryOfIp } from './geoip.ts'
import { geoFrom, type Geo } from './geo.ts'
import { sourceOf, type Source } from './source.ts'
import { agentFrom } from './ua.ts'
import { eventFields, languageOf } from './fields.ts'
import { lakeHashes, visitorIdsWith, type DayHashes, type VisitorIds } from './visitor.ts'

const ANONYMOUS: VisitorIds = { visitor_id: null, visitor_id_prev: null }

/** The request an event came in, as enrichment needs it. */
export interface EnrichContext {
  site: string
  received: number
  /** Server receive time - client send time: added to client times to correct the client's clock. */
  skew: number
  cf: IncomingRequestCfProperties | undefined
  /** The connecting IP and user agent; server-side events name the visitor's own per event. */
  ip: string
  userAgent: string
  /** The request's Accept-Language header: the language of browser events that carry none. */
  acceptLanguage?: string
  server: boolean
  /** Privacy signal honoured by anonymizing: no visitor id. */
  anonymize: boolean
  strip?: readonly string[]
}

/** The collector's context: the request, and the lake that holds the salts and the IP database. */
export interface RequestContext extends EnrichContext {
  lake: R2Bucket
}

/** What enrichment looks up outside the request: the day's visitor hash and an IP's country. */
export interface Lookups {
  hashes: DayHashes
  country(ip: string): Promise<string | null>
}

/** Enriches the events of one request; lookups shared by its events (visitor ids, geo) are made once. */
export function enrichAll(events: WireEvent[], ctx: RequestContext): Promise<EventRow[]> {
  return enrichWith(events, ctx, { hashes: lakeHashes(ctx.lake), country: (ip) => countryOfIp(ctx.lake, ip) })
}

/** `enrichAll` with the lookups given. */
export async function enrichWith(events: WireEvent[], ctx: EnrichContext, lookups: Lookups): Promise<EventRow[]> {
  const ids = new Map<string, Promise<VisitorIds>>()
  const geos = new Map<string, Promise<Geo>>()
  // Events of one request mostly share their page (and referrer): two URL parses and the query work, once.
  const sources = new Map<string, Source>()
  const source = (e: WireEvent) => {
    const key = `${e.url}\n${e.referrer ?? ''}`
    let s = sources.get(key)
    if (!s) sources.set(key, (s = sourceOf(e.url, e.referrer, ctx.strip)))
    return s
  }
  return Promise.all(
    events.map(async (e) => {
      const ip = e.ip ?? ctx.ip
      const ua = e.ua ?? ctx.userAgent
      const key = `${ip}|${ua}`
      if (!ids.has(key))
        ids.set(
          key,
          ctx.anonymize ? Promise.resolve(ANONYMOUS) : visitorIdsWith(lookups.hashes, ctx.received, SESSION_GAP_MS, ctx.site, ip, ua),
        )
      if (!geos.has(ip)) geos.set(ip, geoOf(ctx, lookups, e.ip))
      const [visitor, geo] = await Promise.all([ids.get(key)!, geos.get(ip)!])
      // A backend's own user agent says nothing about the visitor: judge only the one it names.
      const judged = !(ctx.server && e.ua === undefined)
      const bot = judged ? botReason(ua, ctx.server ? undefined : ctx.cf) : null
      return toRow(e, ctx, source(e), { ...visitor, ...geo, ...agentFrom(judged ? ua : ''), is_bot: bot !== null, bot_reason: bot })
    }),
  )
}

/** Geo of the visitor: request.cf when it describes them, else the IP database (country, continent). */
async function geoOf(ctx: EnrichContext, lookups: Lookups, explicitIp: string | undefined): Promise<Geo> {
  const cfGeo = geoFrom(ctx.cf)
  if (explicitIp === undefined && cfGeo.country) return cfGeo
  const ip = explicitIp ?? ctx.ip
  const country = await lookups.country(ip)
  return {
    country,
    continent: continentOf(country),
    region: null,
    city: null,
    timezone: null,
    asn: null,
    colo: explicitIp === undefined ? cfGeo.colo : null,
  }
}

type Enriched = Pick<EventRow, 'visitor_id' | 'visitor_id_prev' | 'is_bot' | 'bot_reason'> & Geo & ReturnType<typeof agentFrom>

function toRow(e: WireEvent, ctx: EnrichContext, source: Source, enriched: Enriched): EventRow {
  return {
    event_id: e.id,
    site: ctx.site,
    type: e.type,
    // The corrected time never lies in the future of the server's clock.
    event_time: Math.min(e.ts + ctx.skew, ctx.received),
    client_time: e.ts,
    received_time: ctx.received,
    ...source,
    ...eventFields(e),
    // A backend's own request says nothing about the visitor's language: server events keep what they send.
    language: e.language ?? (ctx.server ? null : languageOf(ctx.acceptLanguage)),
    ...enriched,
  }
}
