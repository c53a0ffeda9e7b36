/** Where and when an event was logged: every IdentityEvent carries it, and evidence keeps just this. */
export interface EventOrigin {
  /** Event time, epoch ms. Detectors take time from here, never from the clock. */
  readonly time: number;
  /** The logging host as written (`Computer`). */
  readonly host: string;
  readonly eventId: number;
  readonly recordId: number | null;
}
