// The project's modules that `npm run cost` (bench/cost.mjs) uses, bundled for Node by bench/ts.mjs.
export { newVisitor, session } from '../../examples/generator/model.ts'
export { trackerRequests } from '../../examples/generator/tracker.ts'
export { Random } from '../../examples/generator/random.ts'
