/**
 * Build flag, replaced by esbuild's `define` in every build (sdk/build.mjs, scripts/build.mjs): true in the
 * core script build (`f.core.js`), which then drops the code behind `!FOOTFALL_LITE` (persisted queue,
 * path exclusion, hash mode, engagement) at parse time; false in the default build and the ESM package.
 */
declare const FOOTFALL_LITE: boolean
