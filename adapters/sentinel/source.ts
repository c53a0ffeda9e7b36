import type { TokenCredential } from '@azure/identity';
import { LogsQueryClient, LogsQueryResultStatus, type LogsTable } from '@azure/monitor-query-logs';
import type { Source, SourceRecord } from '../../core/engine/ports';
import type { PullPlan } from '../../core/rules/pull-plan';
import { scrubSecrets } from '../../core/config/secret';
import { LogAnalyticsQueryError, PartialResultError, SentinelAuthError, SentinelCheckpointError } from './errors';
import { toCanonical, type Row } from './field-map';
import { pullQuery, TABLE_COLUMN, type IngestionSlice, type PullQuery, type PullSettings } from './pull-query';

/**
 * Pulls what Log Analytics ingested since the checkpoint, through `@azure/monitor-query-logs`
 * (DESIGN §3.1). Time is ingestion time (`ingestion_time()`), not event time: the window runs
 * from the checkpoint to now less a settle lag, so records still being ingested are left for the
 * next pass, and it is cut into slices that each query reads half-open, `[from, to)`. A record's
 * ingestion time is fixed when it is stored, so once `to` is older than the settle lag no record
 * can still arrive before it: the checkpoint is `to` alone, the next pass starts exactly there,
 * and a rerun from the same checkpoint reads the same rows (the sink dedupes on alert id) —
 * nothing read twice across passes, nothing skipped.
 *
 * Limits (Azure Monitor service limits: 500,000 rows, ~64 MB per result): a slice whose answer
 * is `PartialFailure` — the service cut it, or part of it failed — is split in halves and each
 * half asked again; at `minSliceMs` it is an error, never a silent truncation. 429 and 5xx are
 * retried by the SDK's own pipeline (core-rest-pipeline's throttling policy waits what
 * `Retry-After` says; its exponential policy retries 5xx), up to `maxRetries`; what is left is a
 * clear error. An expired token is renewed by the credential before it lapses; a revoked one is
 * answered with a claims challenge that the pipeline's bearer policy meets with a fresh token.
 */
export interface SentinelCheckpoint {
  readonly version: 1;
  /** Epoch ms: every record ingested before this was read. */
  readonly ingestedBefore: number;
}

export interface SentinelSourceOptions {
  readonly credential: TokenCredential;
  readonly workspaceId: string;
  /** The query API base, `https://api.loganalytics.io/v1` unless a sovereign cloud or a test says otherwise. */
  readonly endpoint?: string;
  readonly plan: PullPlan;
  readonly tables: PullSettings;
  /** Records ingested in the last `settleSeconds` are left for the next pass. */
  readonly settleSeconds: number;
  /** First pass without a checkpoint: how far back in ingestion time to start. */
  readonly initialLookbackMinutes: number;
  /** One pass reads at most this much ingestion time, so an outage is caught up over passes. */
  readonly maxWindowMinutes: number;
  /** One query's slice of ingestion time, before any split. */
  readonly sliceMinutes: number;
  /** Below this a partial slice is not split again but reported. */
  readonly minSliceMs?: number;
  /**
   * Event-time bound of each query (`timespan`) before the slice: Log Analytics replaces a
   * TimeGenerated more than two days older than receipt with the receipt time (Microsoft Learn,
   * "Standard columns: TimeGenerated"), so 49 hours loses nothing.
   */
  readonly eventLookbackHours?: number;
  readonly maxRetries?: number;
  readonly serverTimeoutSeconds?: number;
  readonly clock: () => number;
  readonly pageSize?: number;
  /** Extra SDK client options (tests: `tlsOptions` for the emulator's certificate). */
  readonly clientOptions?: Record<string, unknown>;
  readonly log?: (entry: Record<string, unknown>) => void;
}

export interface SentinelSourceStats {
  pulled: number;
  queries: number;
  splits: number;
  malformed: number;
  window?: { readonly from: string; readonly to: string };
}

/** Families of one slice, each read whole (split as needed) before the slice's rows are merged by time. */
export class SentinelSource implements Source {
  readonly stats: SentinelSourceStats = { pulled: 0, queries: 0, splits: 0, malformed: 0 };
  private readonly client: LogsQueryClient;
  private next: SentinelCheckpoint | undefined;

  constructor(private readonly o: SentinelSourceOptions) {
    this.client = new LogsQueryClient(o.credential, {
      endpoint: o.endpoint ?? 'https://api.loganalytics.io/v1',
      retryOptions: { maxRetries: o.maxRetries ?? 4 },
      ...(o.clientOptions ?? {}),
    });
  }

  async *pull(checkpoint: unknown): AsyncIterable<readonly SourceRecord[]> {
    const prior = asCheckpoint(checkpoint);
    const o = this.o;
    const now = o.clock();
    const settled = now - o.settleSeconds * 1000;
    const start = prior ? prior.ingestedBefore : settled - o.initialLookbackMinutes * 60_000;
    const end = Math.min(settled, start + o.maxWindowMinutes * 60_000);
    if (end <= start) {
      this.next = prior ?? { version: 1, ingestedBefore: start };
      return;
    }
    this.stats.window = { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
    const step = Math.max(1000, o.sliceMinutes * 60_000);
    for (let from = start; from < end; from += step) {
      const slice = { from, to: Math.min(end, from + step) };
      const rows: Row[] = [];
      for (const q of pullQuery(o.plan, o.tables, slice)) rows.push(...(await this.read(q.family, slice)));
      rows.sort(byEventTime);
      const size = o.pageSize ?? 1000;
      for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size).map((r) => this.record(r));
    }
    this.next = { version: 1, ingestedBefore: end };
  }

  checkpointAfterPull(): unknown {
    if (!this.next) throw new Error('checkpointAfterPull() called before pull() finished');
    return this.next;
  }

  /** One family's rows of a slice, halving the slice while the service answers partially. */
  private async read(family: PullQuery['family'], slice: IngestionSlice): Promise<Row[]> {
    const q = pullQuery(this.o.plan, this.o.tables, slice).find((x) => x.family === family);
    if (!q) return [];
    const result = await this.query(q.text, slice);
    if (result.status === LogsQueryResultStatus.Success) return rowsOf(result.tables);
    const minSlice = this.o.minSliceMs ?? 1000;
    const error = result.partialError;
    if (slice.to - slice.from <= minSlice) {
      throw new PartialResultError(String(error.code ?? 'PartialError'), `Log Analytics answered part of the ${family} query for ingestion time ${iso(slice.from)}..${iso(slice.to)} even at the smallest slice (${minSlice} ms): ${describe(error)}. Nothing after this was read; the checkpoint stays where it was.`);
    }
    this.stats.splits++;
    const mid = slice.from + Math.floor((slice.to - slice.from) / 2);
    this.o.log?.({ level: 'info', msg: 'partial Log Analytics result: splitting the slice', family, from: iso(slice.from), to: iso(slice.to), error: describe(error) });
    return [...(await this.read(family, { from: slice.from, to: mid })), ...(await this.read(family, { from: mid, to: slice.to }))];
  }

  private async query(text: string, slice: IngestionSlice): Promise<Awaited<ReturnType<LogsQueryClient['queryWorkspace']>>> {
    this.stats.queries++;
    const timespan = { startTime: new Date(slice.from - (this.o.eventLookbackHours ?? 49) * 3_600_000), endTime: new Date(this.o.clock() + 86_400_000) };
    try {
      return await this.client.queryWorkspace(this.o.workspaceId, text, timespan, this.o.serverTimeoutSeconds ? { serverTimeoutInSeconds: this.o.serverTimeoutSeconds } : undefined);
    } catch (e) {
      throw queryError(e, this.o.workspaceId);
    }
  }

  private record(r: Row): SourceRecord {
    const origin = `sentinel:${String(r[TABLE_COLUMN])}:${String(r['_ItemId'] ?? '')}`;
    const mapped = toCanonical(r);
    if (mapped.ok) {
      this.stats.pulled++;
      return { kind: 'record', value: mapped.value, origin };
    }
    this.stats.malformed++;
    return { kind: 'malformed', reason: mapped.reason, origin, text: JSON.stringify(r) };
  }
}

/** A SDK table's rows as objects keyed by column name. */
export function rowsOf(tables: readonly LogsTable[]): Row[] {
  const out: Row[] = [];
  for (const t of tables) {
    const names = t.columnDescriptors.map((c) => c.name ?? '');
    for (const values of t.rows) {
      const r: Record<string, unknown> = {};
      names.forEach((n, i) => { r[n] = values[i]; });
      out.push(r);
    }
  }
  return out;
}

/** Event time, then the record number where the table has one, then the record's `_ItemId`. */
function byEventTime(a: Row, b: Row): number {
  const t = time(a) - time(b);
  if (t !== 0) return t;
  const ra = Number(a['EventRecordID'] ?? Number.NaN);
  const rb = Number(b['EventRecordID'] ?? Number.NaN);
  if (Number.isFinite(ra) && Number.isFinite(rb) && ra !== rb) return ra - rb;
  const ia = String(a['_ItemId'] ?? '');
  const ib = String(b['_ItemId'] ?? '');
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

function time(r: Row): number {
  const v = r['TimeCreated'] ?? r['TimeGenerated'];
  return v instanceof Date ? v.getTime() : Date.parse(String(v ?? '')) || 0;
}

/** An SDK or credential error as one of ours, with the service's code and text and no secret. */
export function queryError(e: unknown, workspaceId: string): Error {
  if (e instanceof LogAnalyticsQueryError || e instanceof PartialResultError || e instanceof SentinelAuthError) return e;
  const err = e as { name?: string; statusCode?: number; message?: string; details?: { error?: { code?: string; message?: string; innererror?: { code?: string; message?: string } } } };
  const detail = err.details?.error;
  const inner = detail?.innererror;
  const text = scrubSecrets([detail?.message ?? err.message ?? String(e), inner?.message].filter(Boolean).join(': '));
  if (err.name === 'AuthenticationError' || err.name === 'CredentialUnavailableError' || err.name === 'AuthenticationRequiredError') return new SentinelAuthError(`could not get a token for Log Analytics: ${scrubSecrets(err.message ?? '')}`);
  if (err.statusCode === 401) return new SentinelAuthError(`Log Analytics refused the token (${inner?.code ?? detail?.code ?? '401'}): ${text}`);
  if (err.statusCode === 403) return new SentinelAuthError(`the app may not read workspace ${workspaceId} (grant it Log Analytics Reader): ${text}`);
  if (err.statusCode === 404) return new LogAnalyticsQueryError(detail?.code ?? 'NotFound', `workspace ${workspaceId} not found: ${text}`, 404);
  if (err.statusCode === 400) return new LogAnalyticsQueryError(inner?.code ?? detail?.code ?? 'BadArgumentError', `Log Analytics rejected the pull query: ${text}`, 400);
  if (err.statusCode !== undefined) return new LogAnalyticsQueryError(detail?.code ?? String(err.statusCode), `Log Analytics answered ${err.statusCode} after the SDK's retries: ${text}`, err.statusCode);
  return new LogAnalyticsQueryError(err.name ?? 'Error', `Log Analytics query failed: ${text}`);
}

function describe(error: { code?: string; message?: string; innererror?: { code?: string; message?: string } } | undefined): string {
  if (!error) return 'no error detail';
  return [error.code, error.message, error.innererror?.message].filter(Boolean).join(': ');
}

function asCheckpoint(v: unknown): SentinelCheckpoint | undefined {
  if (v === null || v === undefined) return undefined;
  const c = v as Partial<SentinelCheckpoint>;
  if (c.version !== 1 || typeof c.ingestedBefore !== 'number' || !Number.isFinite(c.ingestedBefore)) {
    throw new SentinelCheckpointError(`the saved checkpoint ${JSON.stringify(v).slice(0, 200)} is not a Sentinel checkpoint: this state belongs to another platform`);
  }
  return c as SentinelCheckpoint;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

