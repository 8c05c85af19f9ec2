// The project's modules that `npm run bench:aggregate` (bench/aggregate.mjs) uses, bundled for Node by bench/ts.mjs.
export { aggregateDay } from '../../warehouse/aggregate/job.ts'
export { MemoryBucket } from '../../warehouse/testing/bucket.ts'
export { backfill } from '../../examples/generator/backfill.ts'
export { bucketSink } from '../../examples/generator/sink.ts'
