/**
 * The session gap: a visitor's session ends after this long without an event (exactly the gap still
 * continues it). One rule read by everything that cuts or links sessions, so a change here changes them
 * all together:
 * - the SQL library's sessions (`sql/sessions.ts`) and the aggregate tier's (`aggregate/build.ts`);
 * - the edge's `visitor_id_prev`, written in the first gap after the UTC midnight salt rotation so the
 *   session SQL can join a visit across it (`edge/enrich/index.ts`, `edge/enrich/visitor.ts`): a shorter
 *   edge window than the SQL's gap would split those visits;
 * - the traffic generator's visits, which start more than a gap apart (`examples/generator/model.ts`);
 * - the dashboard's raw lookback before a range and its default session window.
 */
import { MINUTE } from './time.ts'

export const SESSION_GAP_MS = 30 * MINUTE
