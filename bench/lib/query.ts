// The project's modules that `npm run bench:query` (bench/query.mjs) uses, bundled for Node by bench/ts.mjs.
export { writeEvents } from '../../warehouse/parquet.ts'
export { eventsRawOver, createEventsView } from '../../warehouse/sql/ddl.ts'
export { kpis } from '../../warehouse/sql/kpis.ts'
export { sessions } from '../../warehouse/sql/sessions.ts'
export { windows, tumbling, hopping, sessionWindow } from '../../warehouse/sql/windows.ts'
export { breakdown } from '../../warehouse/sql/breakdowns.ts'
export { sql } from '../../warehouse/sql/query.ts'
