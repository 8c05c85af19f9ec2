// @ts-check
// Puts the IP-to-country database (geo-whois-asn-country, CC0, from npm) into the lake bucket at
// geo/country.mmdb, where the worker reads it (edge/enrich/geoip.ts). Local: Miniflare's R2 under
// `persistTo`; remote: the deployed bucket.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
export const GEO_DB_FILE = join(root, 'node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb')
export const GEO_DB_OBJECT = 'footfall-lake/geo/country.mmdb'

/** @param {{ persistTo?: string }} where  local state directory, or none for the deployed bucket */
export async function uploadGeoDb({ persistTo } = {}) {
  const args = ['r2', 'object', 'put', GEO_DB_OBJECT, '--file', GEO_DB_FILE, '--content-type', 'application/octet-stream']
  args.push(...(persistTo ? ['--local', '--persist-to', persistTo] : ['--remote']))
  await promisify(execFile)(join(root, 'node_modules/.bin/wrangler'), args, {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  })
}

if (process.argv[1] === import.meta.filename) {
  const local = process.argv.includes('--local')
  await uploadGeoDb(local ? { persistTo: join(root, '.wrangler/state') } : {})
  console.log(`uploaded ${GEO_DB_OBJECT} (${local ? 'local' : 'remote'})`)
}
