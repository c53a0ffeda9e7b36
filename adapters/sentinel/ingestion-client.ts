import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy, PipelineRequest } from '@azure/core-rest-pipeline';
import { isAggregateLogsUploadError, LogsIngestionClient } from '@azure/monitor-ingestion';
import { scrubSecrets } from '../../core/config/secret';
import { IngestionFailedError } from './write-errors';

/**
 * Rows into one DCR stream through Microsoft's `@azure/monitor-ingestion` LogsIngestionClient,
 * with what the SDK leaves to its caller:
 * - **Batching under the call limit.** The service refuses a call over 1 MB, compressed or not
 *   (Azure Monitor service limits, "Logs Ingestion API"). The SDK cuts at 1,000,000 bytes of
 *   the rows' JSON but does not count the array's commas and brackets
 *   (utils/splitDataToChunksHelper.js), so a full chunk can be a few hundred bytes over; here
 *   batches are cut at `batchBytes` (900 kB) counting both, and handed to the SDK one at a time,
 *   which then sends each as one gzipped call.
 * - **413 split.** A batch the service still calls too large (a lower limit behind a proxy, a
 *   future change) is halved and each half sent again; a single row over the limit fails the
 *   pass, naming its size: dropping it would lose an alert.
 * - **Errors as ours.** The SDK's pipeline retries 429 (waiting what `Retry-After` says) and
 *   5xx; what is left after its retries arrives as `AggregateLogsUploadError` and becomes an
 *   `IngestionFailedError` with the status, the service's code and what to do — no token.
 *
 * - **Gzip once.** The SDK compresses in its own `GzippingPolicy`, added with no phase after
 *   @azure-rest/core-client added the bearer-token policy with no phase (clientHelpers.js), so
 *   it runs *inside* the token policy: when that policy answers a 401 challenge (a revoked
 *   token's CAE `insufficient_claims`) by sending the request again, the body is gzipped a
 *   second time and the service refuses it (monitor-ingestion 1.2.0; 429 retries are not hit,
 *   the retry policy sits below both). Here the SDK's policy is replaced by one in the
 *   Serialize phase, ahead of the token policy, that compresses each request once.
 *   test/adapters/sentinel/sink.test.ts revokes the token between writes to hold it to that.
 */
export interface IngestionClientOptions {
  readonly endpoint: string;
  readonly dcrImmutableId: string;
  readonly credential: TokenCredential;
  /** The token audience, `https://monitor.azure.com` in the public cloud. */
  readonly audience: string;
  readonly maxRetries: number;
  /** Bytes of JSON per call, before gzip; under the service's 1 MB. */
  readonly batchBytes?: number;
  /** Calls in flight at once (`sentinel.ingestion.maxConcurrency`; the SDK's own default is 5). */
  readonly maxConcurrency?: number;
  /** Extra SDK client options (tests: `tlsOptions` for the emulator's certificate, retry delays). */
  readonly clientOptions?: Record<string, unknown>;
  readonly log?: (entry: Record<string, unknown>) => void;
}

export interface IngestionStats {
  rows: number;
  calls: number;
  splits: number;
}

export const DEFAULT_BATCH_BYTES = 900_000;
/** monitor-ingestion's gZippingPolicyName. */
const SDK_GZIP_POLICY = 'GzippingPolicy';
const gzipAsync = promisify(gzip);

/** Compresses a request's body the first time the request passes, never again on a re-send. */
export function gzipOncePolicy(): PipelinePolicy {
  const done = new WeakSet<PipelineRequest>();
  return {
    name: 'tierzeroGzipOnce',
    async sendRequest(req, next) {
      if (req.body !== undefined && req.body !== null && !done.has(req)) {
        if (typeof req.body !== 'string' && !Buffer.isBuffer(req.body)) throw new Error('Logs Ingestion request body is not text: cannot gzip it');
        req.body = await gzipAsync(req.body);
        req.headers.set('content-encoding', 'gzip');
        done.add(req);
      }
      return next(req);
    },
  };
}

export class IngestionClient {
  readonly stats: IngestionStats = { rows: 0, calls: 0, splits: 0 };
  private readonly client: LogsIngestionClient;

  constructor(private readonly o: IngestionClientOptions) {
    this.client = new LogsIngestionClient(o.endpoint, o.credential, {
      audience: o.audience,
      retryOptions: { maxRetries: o.maxRetries },
      ...(o.clientOptions ?? {}),
    });
    this.client.pipeline.removePolicy({ name: SDK_GZIP_POLICY });
    this.client.pipeline.addPolicy(gzipOncePolicy(), { phase: 'Serialize' });
  }

  /**
   * Resolves once the service accepted every row (204 for each call). Up to `maxConcurrency`
   * calls run at once; after a failure no new call starts, the ones in flight finish, and the
   * first failure is thrown (what was accepted stays: the readers' dedupe absorbs the redo).
   */
  async upload(stream: string, rows: readonly object[]): Promise<void> {
    const batches = [...batchRows(rows, this.o.batchBytes ?? DEFAULT_BATCH_BYTES)];
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (!failed && next < batches.length) {
        const batch = batches[next++] as object[];
        try {
          await this.send(stream, batch);
        } catch (e) {
          failed = true;
          throw e;
        }
      }
    };
    const workers = Math.max(1, Math.min(this.o.maxConcurrency ?? 1, batches.length));
    const results = await Promise.allSettled(Array.from({ length: workers }, worker));
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
  }

  private async send(stream: string, rows: readonly object[]): Promise<void> {
    this.stats.calls++;
    try {
      await this.client.upload(this.o.dcrImmutableId, stream, rows as Record<string, unknown>[], { maxConcurrency: 1 });
      this.stats.rows += rows.length;
      return;
    } catch (e) {
      const cause = isAggregateLogsUploadError(e) ? e.errors[0]?.cause : e;
      if (statusOf(cause) !== 413) throw uploadError(stream, rows.length, cause);
      if (rows.length === 1) {
        throw new IngestionFailedError(stream, 1, `one row of ${Buffer.byteLength(JSON.stringify(rows[0]))} bytes is over the call limit (413); it cannot be split`);
      }
    }
    this.stats.splits++;
    const half = Math.ceil(rows.length / 2);
    this.o.log?.({ level: 'info', msg: 'Logs Ingestion API refused a batch as too large (413): splitting it', stream, rows: rows.length });
    await this.send(stream, rows.slice(0, half));
    await this.send(stream, rows.slice(half));
  }
}

/** Groups rows so each call's JSON array (brackets and commas counted) stays under `maxBytes`. */
export function* batchRows<T>(rows: readonly T[], maxBytes: number): Generator<T[]> {
  let batch: T[] = [];
  let size = 2;
  for (const r of rows) {
    const n = Buffer.byteLength(JSON.stringify(r)) + 1;
    if (batch.length && size + n > maxBytes) {
      yield batch;
      batch = [];
      size = 2;
    }
    batch.push(r);
    size += n;
  }
  if (batch.length) yield batch;
}

function statusOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** An SDK or credential failure as IngestionFailedError: status, the service's code and text, a hint. */
export function uploadError(stream: string, rows: number, e: unknown): IngestionFailedError {
  const err = e as { name?: string; statusCode?: number; code?: string; message?: string; details?: { error?: { code?: string; message?: string } } } | null;
  const status = err?.statusCode;
  const code = err?.details?.error?.code ?? err?.code;
  const text = scrubSecrets(err?.details?.error?.message ?? err?.message ?? String(e));
  if (err?.name === 'AuthenticationError' || err?.name === 'CredentialUnavailableError') return new IngestionFailedError(stream, rows, `could not get a token for the ingestion endpoint: ${text}`);
  const hint = status === 403 ? ' (grant the identity Monitoring Metrics Publisher on the DCR)'
    : status === 404 ? ' (check sentinel.ingestion.dcrImmutableId and the stream name against the DCR)'
      : status === 401 ? ' (is sentinel.ingestion.audience the cloud\'s monitor audience?)' : '';
  return new IngestionFailedError(stream, rows, `${status === undefined ? '' : `HTTP ${status} `}${code ? `${code}: ` : ''}${text}${hint}`);
}
