// @ts-check
// The processes a bench started: what it measures the stack's CPU over.
import { readdirSync, readFileSync } from 'node:fs'

/**
 * Process ids below `pid`: the stack's wrangler and its workerd processes (from /proc).
 * @param {number} pid
 * @returns {number[]}
 */
export function descendants(pid) {
  const kids = readdirSync(`/proc/${pid}/task`).flatMap((t) => /** @returns {number[]} */ {
    try {
      return readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number)
    } catch {
      return []
    }
  })
  return kids.flatMap((k) => [k, ...descendants(k)])
}
