// Every statement the dashboard runs comes from the SQL library (warehouse/sql, run on both engines by the
// goldens: warehouse/store.test.ts and the library's own tests), never from SQL text written in the
// dashboard: this fails on a statement spelled in dashboard/src (comments aside). The SQL console runs the
// owner's own text, read-only (`LakeStore.runReadOnly`).
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, it } from 'vitest'

const STATEMENT =
  /\b(?:SELECT\s+[\w*("]|(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET|CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+)?(?:TABLE|VIEW)|DROP\s+(?:TABLE|VIEW)|ALTER\s+TABLE|WITH\s+RECURSIVE|BEGIN\s+TRANSACTION|ROLLBACK)\b)/
const withoutComments = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1')

it('the dashboard spells no SQL statement: it runs what warehouse/sql produces', async () => {
  const dir = new URL('.', import.meta.url).pathname
  const files = (await readdir(dir, { recursive: true })).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts'))
  expect(files.length).toBeGreaterThan(10)
  const found: string[] = []
  for (const f of files) {
    const lines = withoutComments(await readFile(join(dir, f), 'utf8')).split('\n')
    lines.forEach((l, i) => STATEMENT.test(l) && found.push(`${f}:${i + 1}: ${l.trim()}`))
  }
  expect(found).toEqual([])
})

it('would catch one', () => {
  expect(STATEMENT.test(withoutComments('const q = `SELECT count(*) FROM events` // a count'))).toBe(true)
  expect(STATEMENT.test(withoutComments('// SELECT count(*) FROM events\n/* DELETE FROM events */'))).toBe(false)
})
