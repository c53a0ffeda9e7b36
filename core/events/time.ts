/** Event-time spans in epoch milliseconds: every window, horizon and learning period is one of these. */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
