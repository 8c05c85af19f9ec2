// The project's modules that `npm run bench:lake` (bench/lake.mjs) uses, bundled for Node by bench/ts.mjs.
export * from '../../warehouse/parquet.ts'
export * from '../../warehouse/compact.ts'
export * from '../../warehouse/lake.ts'
export * from '../../warehouse/testing/bucket.ts'
