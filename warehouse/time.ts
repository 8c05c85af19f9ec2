/**
 * Units of time in milliseconds, the unit of every time in the lake (`event_time` and the others), the
 * wire format and `Date.now()`. Defined here only: import them, never spell `86_400_000` again.
 */
export const SECOND = 1_000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
export const WEEK = 7 * DAY
