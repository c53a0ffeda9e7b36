/** A JSON object as read from a saved state, before it is checked: what the migrations walk. */
export type JsonRecord = Record<string, unknown>;

/** A JSON object (not null, not an array). */
export function isJsonRecord(v: unknown): v is JsonRecord {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
