/** Printing query results: an aligned text table for people, CSV or JSON lines for tools. */
export type Format = 'table' | 'csv' | 'json'
type Row = Record<string, unknown>

export function cell(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString()
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Math.round(v * 10_000) / 10_000)
  if (typeof v === 'object') return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? Number(x) : x))
  return String(v)
}

export function render(rows: Row[], format: Format, columns = rows[0] ? Object.keys(rows[0]) : []): string {
  if (format === 'json') return rows.map((r) => JSON.stringify(r, (_, x) => (typeof x === 'bigint' ? Number(x) : x))).join('\n')
  if (format === 'csv') {
    const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s)
    return [columns.map(q).join(','), ...rows.map((r) => columns.map((c) => q(cell(r[c]))).join(','))].join('\n')
  }
  const cells = rows.map((r) => columns.map((c) => cell(r[c])))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)))
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')
}
