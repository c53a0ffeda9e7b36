let record = 50_000;

/**
 * A canonical System-log event as the datasets hold it (`Provider` kept, EventData by name or,
 * for classic providers such as NETLOGON, unnamed). `at` is minutes after 2024-03-04T09:00:00Z,
 * the epoch of `securityEvent` in harness.ts.
 */
export function systemEvent(eventId: number, at: number, provider: string, fields: Record<string, string>, computer = 'DC01.corp.example'): object {
  return {
    TimeCreated: new Date(Date.UTC(2024, 2, 4, 9, 0, 0) + Math.round(at * 60_000)).toISOString(),
    Computer: computer,
    Channel: 'System',
    Provider: provider,
    EventID: eventId,
    EventRecordID: record++,
    ...fields,
  };
}
