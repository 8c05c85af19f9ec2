// A second minification pass over the script builds (f.js, f.core.js): terser after esbuild, with several
// compress passes, top-level mangling and its "unsafe" rewrites (all valid for our code: no getters with side
// effects, no reliance on function names), and booleans as 1 and 0 (valid too: our boolean literals only
// meet truthiness tests and the browser's own boolean arguments, keepalive and capture). Rewrites the file
// in place.
import { minify } from 'terser'
import { readFile, writeFile } from 'node:fs/promises'

export async function shrink(file) {
  const { code } = await minify(await readFile(file, 'utf8'), {
    ecma: 2020,
    toplevel: true,
    compress: {
      passes: 4,
      unsafe: true,
      unsafe_arrows: true,
      unsafe_methods: true,
      unsafe_comps: true,
      pure_getters: true,
      booleans_as_integers: true,
    },
    mangle: true,
  })
  await writeFile(file, code)
}
