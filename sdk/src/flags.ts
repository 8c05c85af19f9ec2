/**
 * Build flags. The core script build (`f.core.js`) defines `FOOTFALL_LITE` as true, so esbuild drops the
 * code behind `FULL` (persisted queue, path exclusion, hash mode, engagement hook, identify). Everywhere
 * else (the default build, the ESM package, unit tests) the identifier is undefined and `FULL` is true.
 */
declare const FOOTFALL_LITE: boolean | undefined
export const FULL = !(typeof FOOTFALL_LITE != 'undefined' && FOOTFALL_LITE)
