import type { EventRow } from '../../warehouse/schema.ts'

export type Geo = Pick<EventRow, 'country' | 'region' | 'city' | 'continent' | 'timezone' | 'asn' | 'colo'>

/**
 * Geolocation from Cloudflare's `request.cf`. Offline `wrangler dev` has a placeholder cf object (or the
 * one injected with CLOUDFLARE_CF_FETCH_PATH); other runtimes have none, and every field is then null.
 */
export function geoFrom(cf: IncomingRequestCfProperties | undefined): Geo {
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null)
  return {
    country: str(cf?.country),
    region: str(cf?.region),
    city: str(cf?.city),
    continent: str(cf?.continent),
    timezone: str(cf?.timezone),
    asn: typeof cf?.asn === 'number' ? cf.asn : null,
    colo: str(cf?.colo),
  }
}
