/**
 * How the dashboard prints a cell, shared by the panels and the tests (which compare the page with native
 * DuckDB through the same function): rates (0..1) as percent, milliseconds as seconds, other fractions to
 * two decimals, a missing value as empty.
 */
export function formatCell(column: string, v: unknown): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString().slice(0, 19).replace('T', ' ')
  if (typeof v === 'bigint') v = Number(v)
  if (typeof v === 'number') {
    if (isRate(column)) return String(Math.round(v * 1000) / 10)
    if (column.endsWith('_ms')) return String(Math.round(v / 100) / 10)
    return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100)
  }
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

/** A column header: rates in %, durations in s. */
export function formatHeader(column: string): string {
  if (isRate(column)) return `${column.replace(/_/g, ' ')} %`
  if (column.endsWith('_ms')) return `${column.slice(0, -3).replace(/_/g, ' ')} (s)`
  return column.replace(/_/g, ' ')
}

const isRate = (c: string) => c === 'rate' || c.endsWith('_rate') || c.startsWith('rate_')

/** The cells of a row as a table shows them (a missing first-column value reads "(none)"). */
export function displayCells(columns: string[], row: Record<string, unknown>): string[] {
  return columns.map((c, j) => (j === 0 && (row[c] === null || row[c] === undefined) ? '(none)' : formatCell(c, row[c])))
}
