import { createHash } from 'node:crypto';

/**
 * Stable id = hash(detector, primary entity keys, time bucket). A rerun over the same events
 * reproduces the same ids, which is what lets sinks dedupe and a killed run be redone.
 */
export function alertId(detector: string, keys: readonly string[], eventTime: number, bucketMs: number): string {
  const bucket = Math.floor(eventTime / bucketMs);
  const material = `${detector}\u0000${keys.map((k) => k.toLowerCase()).join('\u0000')}\u0000${bucket}`;
  return `tz-${createHash('sha256').update(material).digest('hex').slice(0, 24)}`;
}
