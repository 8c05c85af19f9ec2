/** A small RFC 4180 CSV reader: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = []
  let field = '',
    record: string[] = [],
    quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') record.push(field), (field = '')
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      record.push(field), records.push(record), (field = ''), (record = [])
    } else field += c
  }
  if (field !== '' || record.length) record.push(field), records.push(record)
  const [header, ...rows] = records.filter((r) => r.some((f) => f.trim() !== ''))
  if (!header) return []
  const names = header.map((h) => h.trim())
  return rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]?.trim() ?? ''])))
}
