/**
 * The aggregate tier's table: one Parquet file per site and local day (`aggregateKey` in lake.ts), written
 * by the cron (job.ts) from the day's compacted events, read by the dashboard and the CLI through
 * warehouse/sql/aggregates.ts. Every row belongs to one local day (`day`, its midnight as a UTC instant) and
 * one `dim`:
 *
 *   dim             columns set                          what it holds
 *   all             visitors, sketch, + every count       the day: exact distinct visitors and their HLL sketch
 *   quarter         t, pageviews, events, visits, ...     per 15 UTC minutes (any zone's hours align to them)
 *   path            value, visitors, pageviews, events   pageviews by page
 *   referrer, country, region, city, device_type, browser, os
 *                   value, visitors, pageviews, events   every event by that column (a breakdown)
 *   visit:<field>   value, visitors, visits, bounces, duration_ms, visit_pageviews
 *                                                        sessions that started that day, by entry/exit page,
 *                                                        source, channel, UTM (the session's first event)
 *   event           value (name), visitors, events       custom events by name
 *   prop            name, key, value, visitors, events   values of a property of a custom event
 *   propkey         name, value (key), events            the property keys seen on a custom event
 *
 * `events` of a `quarter` or `all` row counts custom events; of a breakdown row every matching event.
 * Visits, bounces, durations and visit pageviews belong to the quarter and day their session started in.
 * Bots are left out: a view with bots reads raw events.
 *
 * Slices (`SLICE_COLUMNS`): the same rows computed under one filter `<fdim> is <fvalue>`, one file per day
 * and filter dimension (`sliceKey` in lake.ts), as the SQL library counts a filtered range: visits are the
 * sessions with a matching event (all of their events counted), every other figure counts the matching
 * events only. A filter on one of `SLICE_DIMS` thus reads its dimension's slices instead of raw events.
 */
import type { Columns } from '../parquet.ts'
import { MINUTE } from '../time.ts'

export const AGGREGATE_COLUMNS = [
  { name: 'day', type: 'TIMESTAMP', required: true },
  { name: 'dim', type: 'STRING', required: true },
  { name: 't', type: 'TIMESTAMP' },
  { name: 'name', type: 'STRING' },
  { name: 'key', type: 'STRING' },
  { name: 'value', type: 'STRING' },
  { name: 'visitors', type: 'INT32' },
  { name: 'pageviews', type: 'INT32' },
  { name: 'events', type: 'INT32' },
  { name: 'visits', type: 'INT32' },
  { name: 'bounces', type: 'INT32' },
  { name: 'duration_ms', type: 'DOUBLE' },
  { name: 'visit_pageviews', type: 'INT32' },
  { name: 'sketch', type: 'STRING' },
] as const satisfies Columns

export type AggregateColumn = (typeof AGGREGATE_COLUMNS)[number]['name']

/** Event columns breakdowns group every event by (the `breakdown` panels of the overview). */
export const EVENT_DIMS = ['referrer', 'country', 'region', 'city', 'device_type', 'browser', 'os'] as const

/** Session columns session breakdowns group by (`sessionBreakdown` in warehouse/sql/breakdowns.ts). */
export const VISIT_DIMS = ['entry_page', 'exit_page', 'referrer_host', 'channel', 'utm_source', 'utm_medium', 'utm_campaign'] as const

/** A session's source and place: the columns of the event that opened it. */
export const SOURCE_COLUMNS = [
  'channel',
  'referrer_host',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'country',
  'region',
  'city',
  'device_type',
  'browser',
  'os',
] as const

/** The event columns the aggregation reads (projection of the day's files; `received_time` picks the copy kept). */
export const INPUT_COLUMNS = [
  'event_id',
  'type',
  'name',
  'event_time',
  'received_time',
  'visitor_id',
  'visitor_id_prev',
  'is_bot',
  'path',
  'props',
  ...new Set([...EVENT_DIMS, ...SOURCE_COLUMNS]),
] as const

/**
 * The filter dimensions the aggregate tier answers from slices (a filter `<dim> is <value>`), in the order
 * the cron builds them (the most used filters first: a day's slices may take several runs, job.ts).
 */
export const SLICE_DIMS = [
  'path',
  'country',
  'channel',
  'referrer_host',
  'device_type',
  'browser',
  'os',
  'utm_source',
  'utm_medium',
  'utm_campaign',
] as const
export type SliceDim = (typeof SLICE_DIMS)[number]

/** A slice file's rows: the filter (`fdim`, `fvalue`) and an aggregate row computed under it (no sketches). */
export const SLICE_COLUMNS = [
  { name: 'fdim', type: 'STRING', required: true },
  { name: 'fvalue', type: 'STRING', required: true },
  ...AGGREGATE_COLUMNS,
] as const satisfies Columns

/** Width of a `quarter` row: every zone's offset is a whole number of quarter hours. */
export const QUARTER_MS = 15 * MINUTE
