/**
 * The ESM package's typed options, converted to the configuration the core reads: the shape of the script
 * tag's dataset, so both builds run the same code. Not exported by the package (its declarations must
 * not reach the core's types).
 */
import type { Config } from './core.ts'
import type { Options } from './types.ts'

/** Typed options -> the script tag's dataset shape that the core reads (present / absent / "off"). */
export function config(o: Options): Config {
  const c: Record<string, string> = { site: o.site, endpoint: o.endpoint, spa: o.spa ?? 'history' }
  if (o.exclude?.length) c.exclude = o.exclude.join(',')
  for (const k of ['persist', 'respectDnt', 'localhost', 'automation'] as const) if (o[k]) c[k] = ''
  for (const k of ['clicks', 'outbound', 'download'] as const) if (o[k] === false) c[k] = 'off'
  return c
}
