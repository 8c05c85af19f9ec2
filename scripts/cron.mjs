// @ts-check
// The schedule of the cron triggers (wrangler.toml `[triggers] crons`), for the local stack: `npm start`
// fires the worker's scheduled jobs at the same minutes a deploy's cron would (scripts/start.mjs).
//
// Five fields, in UTC as on Cloudflare: minute, hour, day of month, month, day of week; each `*`, a number,
// a range `a-b`, a step `*/n` or `a-b/n`, or a list of those. (Cloudflare also knows names, L, W and #; a
// schedule using them is refused here rather than fired at the wrong time.)
import { readFile } from 'node:fs/promises'

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 }, // 0 and 7 are Sunday
]

/**
 * The sets of values each field of `expr` matches.
 * @param {string} expr
 * @returns {Set<number>[]}
 */
export function parseCron(expr) {
  const parts = expr.trim().split(/\s+/)
  if (parts.length !== 5) throw new Error(`cron "${expr}": expected 5 fields, got ${parts.length}`)
  return parts.map((part, i) => {
    const { name, min, max } = FIELDS[i]
    const values = new Set()
    for (const item of part.split(',')) {
      const m = /^(?:(\*)|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item)
      if (!m) throw new Error(`cron "${expr}": cannot read the ${name} field "${part}"`)
      const step = m[4] ? Number(m[4]) : 1
      const from = m[1] ? min : Number(m[2])
      const to = m[1] ? max : m[3] ? Number(m[3]) : m[4] ? max : from
      if (from < min || to > max || from > to || step < 1) throw new Error(`cron "${expr}": ${name} "${item}" is out of ${min}-${max}`)
      for (let v = from; v <= to; v += step) values.add(i === 4 && v === 7 ? 0 : v)
    }
    return values
  })
}

/**
 * The first whole UTC minute after `after` (epoch ms) that `expr` matches.
 * As in cron, when both day fields are restricted a day matching either one fires.
 * @param {string} expr
 * @param {number} after
 * @returns {number}
 */
export function nextFire(expr, after) {
  const [minute, hour, dom, month, dow] = parseCron(expr)
  const anyDom = dom.size === 31
  const anyDow = dow.size === 7
  let t = Math.floor(after / 60_000) * 60_000 + 60_000
  // At most four years of minutes (a 29 February schedule fires within that).
  for (let i = 0; i < 4 * 366 * 1440; i++, t += 60_000) {
    const d = new Date(t)
    if (!minute.has(d.getUTCMinutes()) || !hour.has(d.getUTCHours()) || !month.has(d.getUTCMonth() + 1)) continue
    const byDom = dom.has(d.getUTCDate())
    const byDow = dow.has(d.getUTCDay())
    if (anyDom && anyDow ? true : anyDom ? byDow : anyDow ? byDom : byDom || byDow) return t
  }
  throw new Error(`cron "${expr}" never fires`)
}

/**
 * The cron expressions of a wrangler.toml (`crons = [...]` under `[triggers]`); none when it has no triggers.
 * @param {string} path
 * @returns {Promise<string[]>}
 */
export async function cronsOf(path) {
  const toml = await readFile(path, 'utf8')
  const triggers = /^\[triggers\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(toml)?.[1] ?? ''
  const list = /^\s*crons\s*=\s*(\[[^\]]*\])/m.exec(triggers)?.[1]
  return list ? JSON.parse(list) : []
}
