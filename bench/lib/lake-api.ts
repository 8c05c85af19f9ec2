// The worker's lake listing for bench/dashboard.mjs (checked with the edge: edge/tsconfig.json), bundled for Node by bench/ts.mjs.
export { listAggregates, listLakeFiles } from '../../edge/lake-api.ts'
