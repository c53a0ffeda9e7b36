import type { IdentityEvent } from './identity-event';

/** What normalising one record gives (core/events/normalize.ts); shared by every family's normaliser. */
export type NormalizeResult =
  | { readonly status: 'event'; readonly event: IdentityEvent }
  | { readonly status: 'unmodelled'; readonly channel: string; readonly eventId: number }
  | { readonly status: 'malformed'; readonly reason: string };

/**
 * Which (channel, EventID) pairs the enabled detectors need; others skip the builders. A source
 * that sees raw text may also ask `textNeeds`: a pattern a wanted event's line must contain for
 * any use of it to matter (the pull plan's `where`, as text), so it can skip the line unparsed.
 */
export interface EventFilter {
  (channel: string, eventId: number): boolean;
  readonly textNeeds?: (channel: string, eventId: number) => RegExp | undefined;
  /**
   * The texts `textNeeds` matches any of, lower case: printable ASCII without quote, backslash or
   * slash (text-needs.ts `plain`), so a reader of raw bytes can test them before decoding a line.
   */
  readonly neededTexts?: (channel: string, eventId: number) => readonly string[] | undefined;
}
