import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { openSplunk, type PlatformPass } from '../../../adapters/splunk/platform';
import type { RetryPolicy } from '../../../adapters/http/retry';
import { resolveConfig, type ResolvedConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import type { DetectorModule } from '../../../core/detectors/detector';
import { runPass, type PassResult } from '../../../core/engine/engine';
import { pullPlan } from '../../../core/rules/pull-plan';
import { SplunkEmulator, type SplunkEmulatorOptions } from '../../emulators/splunk/splunk-emulator';
import { isCloudSignIn, isEntraAudit } from '../../../core/events/windows-event';
import { asAzureMonitorAad, asAzureMonitorAadAudit, asWinEventLog, asXmlWinEventLog } from '../../emulators/splunk/ta-format';
import { readConf } from './conf';

/** Shared set-up for the Splunk adapter tests: an emulator as the tierzero app would find it. */
export const PASSWORD = 'emulated-splunk-password-7f3a';
export const HEC_TOKEN = '8a4e1c2b-emul-ated-hec0-token00000001';
export const ENV = { TZ_TEST_SPLUNK_PASSWORD: PASSWORD, TZ_TEST_HEC_TOKEN: HEC_TOKEN };
/** As the app's default/macros.conf defines them. */
export const MACROS = { tierzero_windows_index: 'index=wineventlog', tierzero_entra_index: 'index=azure', tierzero_alert_index: 'index=tierzero' };
export const DATASETS = join(__dirname, '..', '..', '..', '..', 'shared', 'datasets');

export function emulator(o: SplunkEmulatorOptions = {}): Promise<SplunkEmulator> {
  return new SplunkEmulator({
    users: { svc_tierzero: PASSWORD },
    hecTokens: { [HEC_TOKEN]: { ack: true, indexes: ['tierzero'] } },
    apps: { tierzero: { macros: MACROS, ...appKvStore() } },
    ...o,
  }).start();
}

const APP_DEFAULT = join(__dirname, '..', '..', '..', 'adapters', 'splunk', 'app', 'files', 'default');

/** The KV store collections (collections.conf) and lookups on them (transforms.conf) the app ships. */
export function appKvStore(): { collections: string[]; lookups: Record<string, string> } {
  const collections = [...readConf(join(APP_DEFAULT, 'collections.conf')).keys()].filter((k) => k !== 'default');
  const lookups: Record<string, string> = {};
  for (const [name, stanza] of readConf(join(APP_DEFAULT, 'transforms.conf'))) {
    const collection = stanza.get('collection');
    if (stanza.get('external_type') === 'kvstore' && collection) lookups[name] = collection;
  }
  return { collections, lookups };
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tz-splunk-'));
}

/** The `splunk` config section pointing at `emu`; `over` replaces top-level keys. */
export function section(emu: SplunkEmulator, dir: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    url: emu.url,
    username: 'svc_tierzero',
    passwordEnv: 'TZ_TEST_SPLUNK_PASSWORD',
    hec: { url: emu.hecUrl, tokenEnv: 'TZ_TEST_HEC_TOKEN', index: 'tierzero', requireAck: true },
    state: { fallbackFile: join(dir, 'state.json') },
    ...over,
  };
}

export interface Waits {
  readonly waits: number[];
}

export interface PassOptions {
  readonly section: Record<string, unknown>;
  readonly clock: () => number;
  readonly config?: ResolvedConfig;
  readonly modules?: readonly DetectorModule[];
  readonly env?: NodeJS.ProcessEnv;
  readonly stdin?: string;
  readonly log?: Record<string, unknown>[];
  readonly waits?: number[];
  readonly policy?: Partial<RetryPolicy>;
  /** Runs between building the platform and the pass (inject faults that need the platform). */
  readonly before?: (p: PlatformPass) => void;
}

/** One scheduled pass against the emulator through the real assembly (`openSplunk`). */
export async function splunkPass(o: PassOptions): Promise<PassResult & { platform: PlatformPass; quarantine: MemoryQuarantine }> {
  const waits = o.waits ?? [];
  const config = o.config ?? resolveConfig({}, DECLARATIONS);
  const platform = await openSplunk(o.section, tmpdir(), pullPlan(o.modules ?? DETECTOR_MODULES, config), {
    env: o.env ?? ENV,
    readStdin: async () => o.stdin ?? '',
    clock: o.clock,
    log: (e) => o.log?.push(e),
    policy: { sleep: async (ms) => { waits.push(ms); }, random: () => 1, ...o.policy },
  });
  o.before?.(platform);
  const quarantine = new MemoryQuarantine();
  try {
    const result = await runPass({
      source: platform.source, sink: platform.sink, store: platform.store, quarantine,
      config, modules: o.modules ?? DETECTOR_MODULES,
    });
    return { ...result, platform, quarantine };
  } finally {
    platform.close();
  }
}

export interface ManifestEntry {
  readonly file: string;
  readonly context?: Record<string, unknown>;
  readonly events: number;
}

export function manifest(): ManifestEntry[] {
  return JSON.parse(readFileSync(join(DATASETS, 'manifest.json'), 'utf8')) as ManifestEntry[];
}

export function readDataset(file: string): Record<string, unknown>[] {
  const buf = readFileSync(join(DATASETS, file));
  const text = (file.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The alert ids HEC put into the emulator's alert index. */
export function indexedAlertIds(emu: SplunkEmulator): string[] {
  return emu.store.events.filter((e) => e.sourcetype === 'tierzero:alert').map((e) => e.fields['alert_id'] as string);
}

export interface Loaded {
  /** A clock just after the last event settled: one pass reads everything. */
  readonly now: number;
  /** Search settings whose first window covers every loaded event. */
  readonly search: Record<string, number>;
}

/**
 * Canonical events into the emulator as the Windows TA (or, for Entra sign-ins and audit
 * records, the cloud add-on's Event Hub input) would index them, each indexed five seconds
 * after it happened (a forwarder's usual delay).
 */
export function load(emu: SplunkEmulator, records: readonly Record<string, unknown>[], format: 'xml' | 'classic' = 'xml'): Loaded {
  let min = Infinity;
  let max = 0;
  for (const r of records) {
    const entra = isCloudSignIn(r) ? asAzureMonitorAad : isEntraAudit(r) ? asAzureMonitorAadAudit : undefined;
    const indexTime = Math.floor(Date.parse(String(entra ? r['TimeGenerated'] : r['TimeCreated'])) / 1000) + 5;
    min = Math.min(min, indexTime);
    max = Math.max(max, indexTime);
    if (entra) emu.addEvent(entra(r, { index: 'azure', indexTime }));
    else emu.addEvent((format === 'xml' ? asXmlWinEventLog : asWinEventLog)(r, { index: 'wineventlog', indexTime }));
  }
  const now = max + 61;
  return { now: now * 1000, search: { initialLookbackMinutes: Math.ceil((now - min) / 60) + 5, maxWindowMinutes: 100_000_000, eventLookbackHours: 24 } };
}
