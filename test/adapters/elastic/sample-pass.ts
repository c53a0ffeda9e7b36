import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import type { Alert } from '../../../core/alerts/alert';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import type { ScoreUpdate } from '../../../core/scoring/score-update';
import type { EngineState, LoadedState, StateStore, StateToken } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';

export const SAMPLES = join(__dirname, '..', '..', '..', 'samples');

/** The sample day's canonical records (samples/sample-day.jsonl.gz), in file order. */
export function sampleRecords(): Record<string, unknown>[] {
  return gunzipSync(readFileSync(join(SAMPLES, 'sample-day.jsonl.gz'))).toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function sampleConfig(): unknown {
  return JSON.parse(readFileSync(join(SAMPLES, 'tierzero.json'), 'utf8'));
}

/** A state store in memory with the CAS contract (the token is a counter). */
export class MemoryStateStore implements StateStore {
  saved: { state: EngineState; token: StateToken } | undefined;
  async load(): Promise<LoadedState | undefined> {
    return this.saved;
  }
  async save(state: EngineState): Promise<StateToken> {
    this.saved = { state, token: String(Number(this.saved?.token ?? 0) + 1) };
    return this.saved.token;
  }
}

let cached: Promise<{ alerts: readonly Alert[]; scores: readonly ScoreUpdate[] }> | undefined;

/** The alerts and score updates `tierzero detect` makes of the sample day (13 detectors, 23 alerts): real sink input. */
export function samplePass(): Promise<{ alerts: readonly Alert[]; scores: readonly ScoreUpdate[] }> {
  cached ??= (async () => {
    let written: { alerts: readonly Alert[]; scores: readonly ScoreUpdate[] } = { alerts: [], scores: [] };
    await runPass({
      source: new MemorySource(sampleRecords(), 5000), store: new MemoryStateStore(), quarantine: new MemoryQuarantine(),
      sink: { write: async (alerts, scores) => { written = { alerts, scores }; } },
      config: resolveConfig(sampleConfig(), DECLARATIONS), modules: DETECTOR_MODULES,
    });
    return written;
  })();
  return cached;
}
