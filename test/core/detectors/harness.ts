import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import type { Alert } from '../../../core/alerts/alert';
import { resolveConfig } from '../../../core/config/config';
import type { DetectorModule } from '../../../core/detectors/detector';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import type { StateStore } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';

export interface HarnessOptions {
  /** tierzero config (validated like a real one). */
  readonly config?: unknown;
  /** Carry state across calls to test continuity, or start fresh. */
  readonly store?: StateStore;
  /** The input is finished (a one-shot `detect` without --state): waiting verdicts are released. */
  readonly finalInput?: boolean;
}

/** Runs one detector through the real engine over canonical raw events; returns its alerts. */
export async function detect(module: DetectorModule, events: readonly object[], options: HarnessOptions = {}): Promise<Alert[]> {
  const sink = new MemorySink();
  await runPass({
    source: new MemorySource(events),
    sink,
    store: options.store ?? new MemoryStateStore(),
    quarantine: new MemoryQuarantine(),
    config: resolveConfig(options.config ?? {}, DECLARATIONS),
    modules: [module],
    ...(options.finalInput ? { finalInput: true } : {}),
  });
  return sink.alerts;
}

let record = 1000;

/**
 * A canonical Security event as the datasets hold it: System fields plus EventData by name.
 * `at` is minutes after 2024-03-04T09:00:00Z, so fixtures read as a timeline.
 */
export function securityEvent(eventId: number, at: number, fields: Record<string, string>, computer = 'DC01.corp.example'): object {
  return {
    TimeCreated: new Date(Date.UTC(2024, 2, 4, 9, 0, 0) + Math.round(at * 60_000)).toISOString(),
    Computer: computer,
    Channel: 'Security',
    Provider: 'Microsoft-Windows-Security-Auditing',
    EventID: eventId,
    EventRecordID: record++,
    ...fields,
  };
}

/** The same instant expressed in days after the fixtures' epoch, for learning-period tests. */
export const DAYS = 24 * 60;
