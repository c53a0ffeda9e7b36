import { ClientSecretCredential } from '@azure/identity';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { DEFAULT_PULL_SETTINGS, type PullSettings } from '../../../adapters/sentinel/pull-query';
import { SentinelSource, type SentinelSourceOptions } from '../../../adapters/sentinel/source';
import type { ResolvedConfig } from '../../../core/config/config';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass, type PassResult } from '../../../core/engine/engine';
import { pullPlan, type PullPlan } from '../../../core/rules/pull-plan';
import { LogAnalyticsEmulator } from '../../emulators/azure/log-analytics';
import { loopbackTls } from '../../emulators/azure/tls';
import { TokenEndpoint } from '../../emulators/azure/token';
import { isEntraAudit } from '../../../core/events/windows-event';
import { auditRow, securityEventRow, securityShapeTable, signInRow, windowsEventRow, type Canonical } from './to-rows';

/** Shared set-up for the Sentinel pull tests: the token endpoint and the workspace, on loopback TLS. */
export const TENANT = '72f988bf-0000-4000-8000-00000000e1a0';
export const CLIENT_ID = '5b1a2c3d-0000-4000-8000-0000000a11c3';
export const CLIENT_SECRET = 'emulated-entra-client-secret~9f3a';
export const WORKSPACE = 'b6f0e8a2-0000-4000-8000-00000000c0de';

export interface Azure {
  readonly token: TokenEndpoint;
  readonly la: LogAnalyticsEmulator;
  stop(): Promise<void>;
}

export async function azure(o: { maxRows?: number; maxBytes?: number; readers?: string[]; lifetimeSeconds?: number } = {}): Promise<Azure> {
  const token = await new TokenEndpoint({ apps: [{ tenantId: TENANT, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }], ...(o.lifetimeSeconds ? { lifetimeSeconds: o.lifetimeSeconds } : {}) }).start();
  const la = await new LogAnalyticsEmulator({ token, workspaceId: WORKSPACE, ...(o.maxRows ? { maxRows: o.maxRows } : {}), ...(o.maxBytes ? { maxBytes: o.maxBytes } : {}), ...(o.readers ? { readers: o.readers } : {}) }).start();
  return { token, la, stop: async () => { await la.stop(); await token.stop(); } };
}

/** The credential tierzero builds for a client secret, pointed at the emulated authority (no instance discovery: it names a real host). */
export function credential(a: Azure, secret = CLIENT_SECRET): ClientSecretCredential {
  return new ClientSecretCredential(TENANT, CLIENT_ID, secret, { authorityHost: a.token.authorityHost, disableInstanceDiscovery: true, tlsOptions: loopbackTls().tlsOptions });
}

export type Shape = 'SecurityEvent' | 'WindowsEvent';

export interface Loaded {
  /** The clock a pass should run at: every row settled. */
  readonly now: number;
  /** Ingestion time spanned, minutes (the first pass's lookback covers it). */
  readonly spanMinutes: number;
  readonly rows: number;
}

/**
 * Loads canonical Windows events as a workspace holds them: `SecurityEvent` shape puts the
 * Security log in SecurityEvent and every other channel in WindowsEvent (SecurityEvent holds
 * only the Security log); `WindowsEvent` shape puts everything in WindowsEvent. Each row is
 * ingested `delayMs` after its event time; `_ItemId`s increase in file order, so rows of the
 * same millisecond keep the exporter's order (real `_ItemId`s are random GUIDs).
 */
export function load(la: LogAnalyticsEmulator, events: readonly Canonical[], shape: Shape, delayMs = 60_000, settleSeconds = 300): Loaded {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  events.forEach((e, i) => {
    const t = Date.parse(String(e['TimeCreated']));
    const at = (Number.isFinite(t) ? t : 0) + delayMs;
    first = Math.min(first, at);
    last = Math.max(last, at);
    const itemId = `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const table = shape === 'WindowsEvent' ? 'WindowsEvent' : securityShapeTable(e);
    la.ingest(table, [table === 'SecurityEvent' ? securityEventRow(e, itemId) : windowsEventRow(e, itemId)], at);
  });
  return { now: last + settleSeconds * 1000 + 1000, spanMinutes: Math.ceil((last - first) / 60_000) + 2, rows: events.length };
}

export function source(a: Azure, plan: PullPlan, over: Partial<SentinelSourceOptions> & { clock: () => number }): SentinelSource {
  return new SentinelSource({
    credential: credential(a),
    workspaceId: WORKSPACE,
    endpoint: a.la.endpoint,
    plan,
    tables: DEFAULT_PULL_SETTINGS satisfies PullSettings,
    settleSeconds: 300,
    initialLookbackMinutes: 60,
    maxWindowMinutes: 7 * 24 * 60,
    sliceMinutes: 24 * 60,
    clientOptions: { tlsOptions: loopbackTls().tlsOptions, retryOptions: { maxRetries: 4, retryDelayInMs: 50, maxRetryDelayInMs: 2000 } },
    ...over,
  });
}

export interface SentinelPassResult extends PassResult {
  readonly sink: MemorySink;
  readonly quarantine: MemoryQuarantine;
}

/** One engine pass over the Sentinel source, with in-memory sink and state (the sink and Blob state are az-sink's). */
export async function sentinelPass(config: ResolvedConfig, src: SentinelSource, store = new MemoryStateStore(), clock?: () => number): Promise<SentinelPassResult> {
  const sink = new MemorySink();
  const quarantine = new MemoryQuarantine();
  const r = await runPass({ source: src, sink, store, quarantine, config, modules: DETECTOR_MODULES, ...(clock ? { clock } : {}) });
  return { ...r, sink, quarantine };
}

export function planFor(config: ResolvedConfig): PullPlan {
  return pullPlan(DETECTOR_MODULES, config);
}

/**
 * Loads canonical Entra records: sign-ins into SigninLogs, every third into
 * AADNonInteractiveUserSignInLogs (whose detail columns are JSON text), audit records into
 * AuditLogs; each ingested `delayMs` after its TimeGenerated.
 */
export function loadCloud(la: LogAnalyticsEmulator, records: readonly Canonical[], delayMs = 120_000, settleSeconds = 300): Loaded {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let signIns = 0;
  records.forEach((r, i) => {
    const at = Date.parse(String(r['TimeGenerated'])) + delayMs;
    first = Math.min(first, at);
    last = Math.max(last, at);
    const itemId = `00000000-0000-4000-9000-${i.toString(16).padStart(12, '0')}`;
    if (isEntraAudit(r as Record<string, unknown>)) la.ingest('AuditLogs', [{ ...auditRow(r), _ItemId: itemId }], at);
    else {
      const table = signIns++ % 3 === 2 ? 'AADNonInteractiveUserSignInLogs' : 'SigninLogs';
      la.ingest(table, [{ ...signInRow(r, table), _ItemId: itemId }], at);
    }
  });
  return { now: last + settleSeconds * 1000 + 1000, spanMinutes: Math.ceil((last - first) / 60_000) + 2, rows: records.length };
}
