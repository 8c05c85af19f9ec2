import type { Env } from './env.ts'

export type PrivacyMode = 'anonymize' | 'drop' | 'ignore'

/**
 * What to do with this request's events given the visitor's privacy signals (Sec-GPC: 1, DNT: 1) and the
 * PRIVACY_SIGNALS setting: "anonymize" (default; counted, without a visitor id), "drop" or "ignore".
 * "ignore" when the visitor sent no signal.
 */
export function privacyMode(env: Env, headers: Headers): PrivacyMode {
  const signal = headers.get('Sec-GPC') === '1' || headers.get('DNT') === '1'
  if (!signal) return 'ignore'
  const setting = env.PRIVACY_SIGNALS ?? 'anonymize'
  return setting === 'drop' || setting === 'ignore' ? setting : 'anonymize'
}
