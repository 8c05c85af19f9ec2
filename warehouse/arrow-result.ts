/** Results of the two DuckDB-WASM builds (Node's, for the goldens; the browser's) as `Result` (engine.ts). */
import { DataType, type Table } from 'apache-arrow'
import type { Result, Row } from './engine.ts'

/** An Arrow table as rows and column names, shaped as `Row` says (both DuckDB-WASM builds answer in Arrow). */
export function arrowResult(table: Table): Result {
  const fields = table.schema.fields
  const rows = table.toArray().map((r) => {
    const o = r.toJSON() as Row
    for (const f of fields) {
      const v = o[f.name]
      if (v === null || v === undefined) continue
      if (DataType.isTimestamp(f.type) || DataType.isDate(f.type)) o[f.name] = new Date(Number(v))
      // HUGEINT (a sum of integers) and DECIMAL arrive as Arrow decimals: a big integer scaled by 10^scale.
      else if (DataType.isDecimal(f.type)) o[f.name] = Number(String(v).replace(/"/g, '')) / 10 ** f.type.scale
      else if (typeof v === 'bigint') o[f.name] = Number(v)
    }
    return o
  })
  return { columns: fields.map((f) => f.name), rows }
}
