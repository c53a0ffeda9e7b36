import type { TokenCredential } from '@azure/core-auth';
import { ContainerClient, StorageSharedKeyCredential, type BlockBlobClient } from '@azure/storage-blob';
import { checkState, StateConflictError, type EngineState, type LoadedState, type StateStore, type StateToken } from '../../core/state/state';
import { StateStorageError } from './write-errors';

/**
 * Engine state as one JSON block blob in Azure Blob Storage, committed with ETag conditions —
 * the compare-and-set the state contract asks for (core/state/state.ts), done by the service:
 * - `load` downloads the blob and hands out its ETag as the version token;
 * - `save` uploads with `If-Match: <etag>`, or `If-None-Match: *` when nothing was stored, so
 *   of two overlapping passes the second upload fails with 412 (or 409 BlobAlreadyExists) and
 *   becomes a StateConflictError before anything of it is visible (learn.microsoft.com
 *   "Managing concurrency in Blob storage", "Specifying conditional headers for Blob service
 *   operations").
 *
 * One blob, not chunks (core/state/chunked-state.ts is for stores with a per-record cap): a
 * single Put Blob takes up to 5000 MiB since service version 2019-12-12 (learn.microsoft.com
 * "Put Blob"), the SDK's `upload` sends one Put Blob, and one Put Blob replaces the blob
 * atomically, so a crash mid-save leaves the previous state whole — no generations needed.
 * State of tens of MB (a large estate's baselines) is one request of a few seconds.
 */
export interface BlobStateOptions {
  readonly accountUrl: URL;
  readonly container: string;
  readonly blob: string;
  /** Storage Blob Data Contributor on the container; a shared key only for Azurite or no-RBAC accounts. */
  readonly credential: TokenCredential | StorageSharedKeyCredential;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly log?: (entry: Record<string, unknown>) => void;
}

const TOKEN_PREFIX = 'blob-etag:';

export class BlobStateStore implements StateStore {
  private readonly container: ContainerClient;
  private readonly blob: BlockBlobClient;

  constructor(private readonly o: BlobStateOptions) {
    const url = new URL(o.accountUrl.href.endsWith('/') ? o.accountUrl.href : `${o.accountUrl.href}/`);
    this.container = new ContainerClient(new URL(encodeURIComponent(o.container), url).href, o.credential, {
      retryOptions: { maxTries: o.maxAttempts, tryTimeoutInMs: o.timeoutMs },
    });
    this.blob = this.container.getBlockBlobClient(o.blob);
  }

  async load(): Promise<LoadedState | undefined> {
    let text: string;
    let etag: string | undefined;
    try {
      // One Get Blob: the ETag is the one of the bytes read, so a save in between cannot be missed.
      const res = await this.blob.download();
      etag = res.etag;
      text = await readAll(res.readableStreamBody);
    } catch (e) {
      if (isStatus(e, 404)) return undefined;
      throw this.failure('read', e);
    }
    if (etag === undefined) throw new StateStorageError(this.where(), 'read', 'the service returned no ETag');
    const state = checkState(JSON.parse(text), this.where());
    return { state, token: `${TOKEN_PREFIX}${etag}` };
  }

  async save(state: EngineState, expected: StateToken | null): Promise<StateToken> {
    const conditions = expected === null ? { ifNoneMatch: '*' } : { ifMatch: this.etagOf(expected) };
    const body = Buffer.from(JSON.stringify(state), 'utf8');
    const upload = (): ReturnType<BlockBlobClient['upload']> => this.blob.upload(body, body.length, {
      conditions,
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    try {
      // The first save creates the container before it sends the body: a service that refuses a
      // large upload (ContainerNotFound) answers before reading it, and the client sees a broken
      // pipe (EPIPE) rather than the 404, so the fallback below would never run.
      if (expected === null && (await this.container.createIfNotExists()).succeeded) {
        this.o.log?.({ level: 'info', msg: 'created the state container', container: this.o.container });
      }
      let res;
      try {
        res = await upload();
      } catch (e) {
        // The state container is part of the deployment; create it on the first save if it is not there yet.
        if (!(isStatus(e, 404) && errorCode(e) === 'ContainerNotFound')) throw e;
        await this.container.createIfNotExists();
        this.o.log?.({ level: 'info', msg: 'created the state container', container: this.o.container });
        res = await upload();
      }
      if (res.etag === undefined) throw new StateStorageError(this.where(), 'write', 'the service returned no ETag');
      return `${TOKEN_PREFIX}${res.etag}`;
    } catch (e) {
      if (e instanceof StateStorageError) throw e;
      if (isStatus(e, 412) || (isStatus(e, 409) && errorCode(e) === 'BlobAlreadyExists')) {
        throw new StateConflictError(this.where(), expected === null ? 'a state blob appeared since this pass found none' : 'the blob\'s ETag changed since this pass loaded it');
      }
      throw this.failure('write', e);
    }
  }

  private etagOf(token: StateToken): string {
    if (!token.startsWith(TOKEN_PREFIX)) throw new StateConflictError(this.where(), 'the version token was not issued by this store');
    return token.slice(TOKEN_PREFIX.length);
  }

  private where(): string {
    return `${this.o.accountUrl.origin}/${this.o.container}/${this.o.blob}`;
  }

  private failure(op: 'read' | 'write', e: unknown): StateStorageError {
    const status = statusOf(e);
    const code = errorCode(e);
    const hint = status === 403 ? ': the identity needs Storage Blob Data Contributor on the container' : '';
    return new StateStorageError(this.where(), op, `${status === undefined ? (e as Error)?.message ?? String(e) : `HTTP ${status}`}${code ? ` ${code}` : ''}${hint}`);
  }
}

function statusOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

function isStatus(e: unknown, status: number): boolean {
  return statusOf(e) === status;
}

/** The service's x-ms-error-code (ContainerNotFound, BlobAlreadyExists, ConditionNotMet, …). */
function errorCode(e: unknown): string | undefined {
  const x = e as { code?: unknown; details?: { errorCode?: unknown } } | null;
  const c = x?.details?.errorCode ?? x?.code;
  return typeof c === 'string' ? c : undefined;
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts).toString('utf8');
}
