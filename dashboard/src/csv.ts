/**
 * CSV (RFC 4180) of a result, and a download of it. The lake holds text anyone on the internet can send (a
 * title, a referrer, a prop), so no cell may be read as a formula by a spreadsheet: a cell that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's rule for CSV injection), unless
 * it is a number as the dashboard prints one (`-12`, `-0.5`, `1e-7`), which stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

/** One cell's text, inert in a spreadsheet and quoted when it must be. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)
  if (FORMULA_START.test(s) && !NUMBER.test(s)) s = `'${s}`
  return /[",\r\n\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n'
}

export function downloadCsv(name: string, columns: string[], rows: Record<string, unknown>[]): void {
  const url = URL.createObjectURL(new Blob([toCsv(columns, rows)], { type: 'text/csv' }))
  const a = document.createElement('a')
  a.href = url
  a.download = `${name.replace(/[^a-z0-9_-]+/gi, '-').toLowerCase()}.csv`
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
