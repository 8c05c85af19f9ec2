/**
 * Parquet page primitives from hyparquet's internal modules (`hyparquet/src/*.js`): a page header, a page's
 * decompression, the RLE / bit-packed hybrid decoding of levels and dictionary indices. Not part of
 * hyparquet's documented API (its package exports them as `./src/*.js`, no more), so any release may change
 * them: this is the one module that imports them, `parquet-pages.test.ts` checks each against hyparquet's
 * public reader on the lake writer's own files, and package.json pins hyparquet exactly
 * (`HYPARQUET_VERSION`, checked by the test too). A hyparquet upgrade is a change of this file: run its
 * test, then bump the constant.
 *
 * Used by the dashboard's direct Parquet -> Arrow reader (`dashboard/src/decode.ts`), which falls back to
 * hyparquet's public `parquetRead` for every file it does not handle.
 */
import type { CompressionCodec, PageHeader } from 'hyparquet'
import { parquetHeader } from 'hyparquet/src/column.js'
import { decompressPage as hyparquetDecompress } from 'hyparquet/src/datapage.js'
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js'

/** The hyparquet release these internals were checked against (package.json pins the same). */
export const HYPARQUET_VERSION = '1.31.5'

/** A position in a file's bytes: hyparquet's DataReader. */
export interface PageReader {
  view: DataView
  offset: number
}

/** Reads the Thrift page header at `reader.offset` and moves the offset past it. */
export function readPageHeader(reader: PageReader): PageHeader {
  return parquetHeader(reader)
}

/** A page's bytes, decompressed (SNAPPY or UNCOMPRESSED; other codecs throw). */
export function decompressPage(raw: Uint8Array, uncompressedSize: number, codec: CompressionCodec): Uint8Array {
  return hyparquetDecompress(raw, uncompressedSize, codec, undefined)
}

/**
 * Decodes `output.length` values of bit width `width` (RLE / bit-packed hybrid) from `reader`, `length`
 * bytes of them (without `length`: a 4-byte length prefix first, as in data pages v1).
 */
export function readRleBitPacked(reader: PageReader, width: number, output: Uint8Array | Int32Array, length?: number): void {
  readRleBitPackedHybrid(reader, width, output, length)
}
