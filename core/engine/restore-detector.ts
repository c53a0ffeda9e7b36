import type { Detector, DetectorModule } from '../detectors/detector';
import { StateInvalidError } from '../state/state';

/**
 * A detector rebuilt from its saved snapshot, or a StateInvalidError naming the key. Each
 * detector owns its snapshot format, so the state schema leaves them open; here each saved
 * top-level field must have the JSON type a fresh detector's snapshot gives it, so
 * `{"services":7}` is refused at load rather than throwing mid-pass on the first event.
 */
export function restoreDetector(m: DetectorModule, settings: Parameters<DetectorModule['create']>[0], saved: unknown, where: string): Detector {
  const id = m.declaration.id;
  if (saved !== undefined && saved !== null) {
    const fresh = m.create(settings, undefined).snapshot();
    if (fresh !== null && typeof fresh === 'object' && !Array.isArray(fresh)) {
      if (typeof saved !== 'object' || Array.isArray(saved)) throw new StateInvalidError(where, `detectors.${id}`, `must be ${jsonType(fresh)}`);
      for (const [key, value] of Object.entries(fresh)) {
        const got = (saved as Record<string, unknown>)[key];
        if (got !== undefined && value !== undefined && value !== null && jsonType(got) !== jsonType(value)) {
          throw new StateInvalidError(where, `detectors.${id}.${key}`, `must be ${jsonType(value)}, is ${jsonType(got)}`);
        }
      }
    }
  }
  try {
    return m.create(settings, saved ?? undefined);
  } catch (e) {
    throw new StateInvalidError(where, `detectors.${id}`, `cannot be restored (${(e as Error).message})`);
  }
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
