/**
 * How the dashboard prints a cell, shared by the panels, the CSV export and the tests (which compare the page
 * with native DuckDB through the same function): rates (0..1) as "42 %" (one decimal at most), milliseconds
 * as "3m 28s", other fractions to two decimals, a missing value as empty. Counts stay exact digits: the SQL
 * console and the CSV print through here too, and "1.2k" there would lose the number (the chart's axis is
 * where counts go compact, `formatMetric`).
 */
export function formatCell(column: string, v: unknown): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString().slice(0, 19).replace('T', ' ')
  if (typeof v === 'bigint') v = Number(v)
  if (typeof v === 'number') {
    if (isRate(column)) return `${Math.round(v * 1000) / 10} %`
    if (column.endsWith('_ms')) return formatDuration(v)
    return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100)
  }
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

/** A column header in words ("Bounce rate", "Visit duration"): the cells carry their units. */
export function formatHeader(column: string): string {
  const words = (column.endsWith('_ms') ? column.slice(0, -3) : column).replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

const isRate = (c: string) => c === 'rate' || c.endsWith('_rate') || c.startsWith('rate_')

/** A part of a whole as "42 %" (below 1 %: "< 1 %"; no whole: "–"). */
export function formatShare(part: number, whole: number): string {
  if (!(whole > 0)) return '–'
  const p = (100 * part) / whole
  return p > 0 && p < 1 ? '< 1 %' : `${Math.round(p)} %`
}

/** The cells of a row as a table shows them (a missing first-column value reads "(none)"). */
export function displayCells(columns: string[], row: Record<string, unknown>): string[] {
  return columns.map((c, j) => (j === 0 && (row[c] === null || row[c] === undefined) ? '(none)' : formatCell(c, row[c])))
}

/**
 * A metric's value as a person reads it (the chart's tooltip and axis): rates as "42 %", durations as
 * "3m 28s", views per visit to two decimals, counts with thousands separators, or `compact` as "1.2k";
 * a missing value (no visit to average over) as "–".
 */
export function formatMetric(metric: string, v: number | null | undefined, compact = false): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–'
  if (isRate(metric)) return `${Math.round(v * 100)} %`
  if (metric.endsWith('_ms')) return formatDuration(v)
  if (!Number.isInteger(v)) return String(Math.round(v * 100) / 100)
  return compact ? compactNumber(v) : v.toLocaleString('en')
}

/** Milliseconds as "45s", "3m 28s", "2h 5m". */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`
}

/** 950, 1.2k, 12k, 3.4M. */
export function compactNumber(n: number): string {
  const a = Math.abs(n)
  const [d, unit] = a >= 1e9 ? [1e9, 'B'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : [1, '']
  if (d === 1) return String(Math.round(n * 100) / 100)
  const x = n / d
  return `${Math.abs(x) < 10 ? Math.round(x * 10) / 10 : Math.round(x)}${unit}`
}
