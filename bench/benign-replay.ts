/**
 * The benign week's replay, run in its own child process by benign-run.ts: every day's file
 * through tierzero's engine in order, one state store for all, as a scheduled deployment runs
 * one pass a day. Counts each day's alerts by detector, severity and learning flag.
 */
import type { PhaseResult } from './phases';

/** One day's alerts: detector → severity → count, and the same for those flagged `learning`. */
export interface DayAlerts {
  readonly day: number;
  readonly alerts: number;
  readonly bySeverity: Record<string, Record<string, number>>;
  readonly learningBySeverity: Record<string, Record<string, number>>;
  readonly events: number;
  readonly seconds: number;
}

export async function replayPhase(files: readonly string[], rawConfig: unknown): Promise<PhaseResult> {
  const { performance } = require('node:perf_hooks') as typeof import('node:perf_hooks');
  const { FileSource } = require('../adapters/file/file-source') as typeof import('../adapters/file/file-source');
  const { MemoryStateStore } = require('../adapters/file/file-state-store') as typeof import('../adapters/file/file-state-store');
  const { MemoryQuarantine } = require('../adapters/file/file-quarantine') as typeof import('../adapters/file/file-quarantine');
  const { resolveConfig } = require('../core/config/config') as typeof import('../core/config/config');
  const { DETECTOR_MODULES } = require('../core/detectors/registry') as typeof import('../core/detectors/registry');
  const { runPass, wantedEvents } = require('../core/engine/engine') as typeof import('../core/engine/engine');
  const config = resolveConfig(rawConfig, DETECTOR_MODULES.map((m) => m.declaration));
  const store = new MemoryStateStore();
  const days: DayAlerts[] = [];
  const t0 = performance.now();
  let records = 0;
  for (const [i, file] of files.entries()) {
    const started = performance.now();
    const bySeverity: Record<string, Record<string, number>> = {};
    const learningBySeverity: Record<string, Record<string, number>> = {};
    const count = (table: Record<string, Record<string, number>>, detector: string, severity: string): void => {
      const row = (table[detector] ??= {});
      row[severity] = (row[severity] ?? 0) + 1;
    };
    let alerts = 0;
    const source = new FileSource([file], { maxLineBytes: config.maxLineBytes, wanted: wantedEvents(config, DETECTOR_MODULES) });
    const pass = await runPass({
      source,
      sink: {
        write: async (batch) => {
          for (const a of batch) {
            alerts++;
            count(bySeverity, a.detector, a.severity);
            if (a.learning) count(learningBySeverity, a.detector, a.severity);
          }
        },
      },
      store,
      quarantine: new MemoryQuarantine(),
      config,
      modules: DETECTOR_MODULES,
    });
    const unparsed = [...source.skipped.values()].reduce((a, b) => a + b, 0);
    records += pass.stats.records + unparsed;
    days.push({ day: i + 1, alerts, bySeverity, learningBySeverity, events: pass.stats.records + unparsed, seconds: (performance.now() - started) / 1000 });
    process.stderr.write(`bench: day ${i + 1}: ${alerts} alerts in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { events: records, seconds, eventsPerSecond: records / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, details: { days } };
}
