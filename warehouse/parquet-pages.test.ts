/**
 * hyparquet's internals behind `parquet-pages.ts`, checked on their own: a hyparquet release that renames,
 * moves or changes one of them fails here by name, before the dashboard's direct reader silently falls back
 * or decodes wrong (`dashboard/src/decode.test.ts` then compares that reader with hyparquet's public one).
 */
import { readFileSync } from 'node:fs'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { writeEvents } from './parquet.ts'
import { decompressPage, HYPARQUET_VERSION, readPageHeader, readRleBitPacked } from './parquet-pages.ts'
import { eventRow } from './testing/rows.ts'

const COUNTRIES = ['DE', 'FR', null, 'US', 'ÅLAND', '']
const rows = Array.from({ length: 500 }, (_, i) => eventRow({ event_id: `e${i}`, country: COUNTRIES[i % COUNTRIES.length]! }))
const file = writeEvents(rows)

/** The pages of one column chunk: each header and its raw bytes. */
function pagesOf(column: string) {
  const md = parquetMetadata(file).row_groups[0]!.columns.find((c) => c.meta_data!.path_in_schema[0] === column)!.meta_data!
  const start = Number(md.dictionary_page_offset ?? md.data_page_offset)
  const reader = { view: new DataView(file, start, Number(md.total_compressed_size)), offset: 0 }
  const pages = []
  while (reader.offset < reader.view.byteLength) {
    const header = readPageHeader(reader)
    pages.push({ header, raw: new Uint8Array(file, start + reader.offset, header.compressed_page_size) })
    reader.offset += header.compressed_page_size
  }
  return { md, pages }
}

describe("hyparquet's page internals", () => {
  it('are those of the pinned release', () => {
    const installed = JSON.parse(readFileSync(new URL('../node_modules/hyparquet/package.json', import.meta.url), 'utf8')).version
    const pinned = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).dependencies.hyparquet
    // An upgrade must come with a look at parquet-pages.ts: its tests below, then HYPARQUET_VERSION.
    expect({ installed, pinned }).toEqual({ installed: HYPARQUET_VERSION, pinned: HYPARQUET_VERSION })
  })

  it('read page headers: a dictionary page, then data pages covering every row', () => {
    const { md, pages } = pagesOf('country')
    expect(md.codec).toBe('SNAPPY')
    expect(pages[0]!.header.type).toBe('DICTIONARY_PAGE')
    expect(pages[0]!.header.dictionary_page_header!.num_values).toBe(new Set(COUNTRIES.filter((c) => c !== null)).size)
    const data = pages.slice(1)
    expect(data.length).toBeGreaterThan(0)
    for (const p of data) expect(['DATA_PAGE', 'DATA_PAGE_V2']).toContain(p.header.type)
    const values = (p: (typeof data)[number]) => (p.header.data_page_header_v2 ?? p.header.data_page_header)!.num_values
    expect(data.reduce((n, p) => n + values(p), 0)).toBe(rows.length)
  })

  it('decompress a page to its uncompressed size: the dictionary of PLAIN byte arrays', () => {
    const { md, pages } = pagesOf('country')
    const dict = pages[0]!
    const page = decompressPage(dict.raw, dict.header.uncompressed_page_size, md.codec)
    expect(page.byteLength).toBe(dict.header.uncompressed_page_size)
    const view = new DataView(page.buffer, page.byteOffset, page.byteLength)
    const words: string[] = []
    for (let at = 0; at < page.byteLength; ) {
      const len = view.getUint32(at, true)
      words.push(new TextDecoder().decode(page.subarray(at + 4, at + 4 + len)))
      at += 4 + len
    }
    expect(words.sort()).toEqual(COUNTRIES.filter((c) => c !== null).sort())
  })

  it('decode the RLE / bit-packed hybrid: runs, bit-packed groups, a length prefix', () => {
    // An RLE run: header (8 << 1), then the value in one byte.
    const rle = new Uint8Array(8)
    readRleBitPacked({ view: new DataView(new Uint8Array([16, 1]).buffer), offset: 0 }, 1, rle, 2)
    expect([...rle]).toEqual([1, 1, 1, 1, 1, 1, 1, 1])
    // One bit-packed group of 8 values: header (1 << 1 | 1), then the bits, least significant first.
    const packed = new Int32Array(8)
    readRleBitPacked({ view: new DataView(new Uint8Array([3, 0b10110010]).buffer), offset: 0 }, 1, packed, 2)
    expect([...packed]).toEqual([0, 1, 0, 0, 1, 1, 0, 1])
    // Without a length: a 4-byte little-endian length first (data pages v1), here a run of 3 twos, width 2.
    const prefixed = new Int32Array(3)
    readRleBitPacked({ view: new DataView(new Uint8Array([2, 0, 0, 0, 6, 2]).buffer), offset: 0 }, 2, prefixed)
    expect([...prefixed]).toEqual([2, 2, 2])
  })

  it('decode a data page: definition levels and dictionary indices give the rows back', async () => {
    const { md, pages } = pagesOf('country')
    const dictPage = decompressPage(pages[0]!.raw, pages[0]!.header.uncompressed_page_size, md.codec)
    const dict: string[] = []
    const dv = new DataView(dictPage.buffer, dictPage.byteOffset, dictPage.byteLength)
    for (let at = 0; at < dictPage.byteLength; at += 4 + dv.getUint32(at, true))
      dict.push(new TextDecoder().decode(dictPage.subarray(at + 4, at + 4 + dv.getUint32(at, true))))
    const got: (string | null)[] = []
    for (const { header, raw } of pages.slice(1)) {
      let defs: Uint8Array
      let body: Uint8Array
      const n = (header.data_page_header_v2 ?? header.data_page_header)!.num_values
      if (header.data_page_header_v2) {
        const h = header.data_page_header_v2
        defs = raw.subarray(0, h.definition_levels_byte_length)
        body = raw.subarray(h.definition_levels_byte_length)
        if (h.is_compressed !== false)
          body = decompressPage(body, header.uncompressed_page_size - h.definition_levels_byte_length, md.codec)
      } else {
        const page = decompressPage(raw, header.uncompressed_page_size, md.codec)
        const len = new DataView(page.buffer, page.byteOffset).getUint32(0, true)
        defs = page.subarray(4, 4 + len)
        body = page.subarray(4 + len)
      }
      const present = new Uint8Array(n)
      readRleBitPacked({ view: new DataView(defs.buffer, defs.byteOffset, defs.byteLength), offset: 0 }, 1, present, defs.length)
      const count = present.reduce((a, b) => a + b, 0)
      const index = new Int32Array(count)
      const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
      readRleBitPacked({ view, offset: 1 }, view.getUint8(0), index, body.byteLength - 1)
      let k = 0
      for (let i = 0; i < n; i++) got.push(present[i] ? dict[index[k++]!]! : null)
    }
    const expected = (await parquetReadObjects({ file, columns: ['country'] })).map((r) => r.country)
    expect(got).toEqual(expected)
    expect(got).toEqual(rows.map((r) => r.country))
  })
})
