import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { gunzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { customTableResources } from '../../../adapters/sentinel/solution/custom-tables';
import type { TableName } from '../../../adapters/sentinel/tables';
import type { LogAnalyticsEmulator } from './log-analytics';
import { closeServer, listenLoopbackTls } from './tls';
import type { TokenEndpoint } from './token';

/**
 * The Azure Monitor Logs Ingestion API on 127.0.0.1 (TLS), written from its documented wire
 * format (learn.microsoft.com "Logs Ingestion API in Azure Monitor", REST "Logs Ingestion -
 * Upload"; Azure REST API specs `specification/monitor/data-plane/ingestion/…/2023-01-01`) and
 * driven in the tests by the real `@azure/monitor-ingestion` LogsIngestionClient:
 * - POST {endpoint}/dataCollectionRules/{immutableId}/streams/{stream}?api-version=2023-01-01,
 *   `Authorization: Bearer` a token for https://monitor.azure.com, `Content-Type: application/json`,
 *   optional `Content-Encoding: gzip`; the body a JSON array of objects, one per row;
 * - 204 No Content when accepted;
 * - 400 for a body that is not a JSON array of objects, or rows that do not match the stream's
 *   declaration (the DCR's `streamDeclarations`), 404 for an unknown DCR or stream;
 * - 401 with a `WWW-Authenticate` challenge (the token endpoint's check), 403 when the app has no
 *   Monitoring Metrics Publisher role on the DCR;
 * - 413 when a call is over 1 MB, compressed or not (Azure Monitor service limits, "Logs
 *   Ingestion API": "Maximum size of API call: 1 MB for both compressed and uncompressed data");
 * - 429 with `Retry-After` when throttled (faults injected by the test).
 *
 * The DCR is the solution's own (adapters/sentinel/solution/custom-tables.ts), so the stream
 * check is against what `tierzero package sentinel` deploys. Its `transformKql` must be `source`
 * (rows land as sent): a DCR with any other transform is refused at construction rather than
 * emulated wrongly. Accepted rows land in the Log Analytics emulator's table of the data flow's
 * `outputStream` (`Custom-X` → `X`) at the wall clock's ingestion time, so queries read them.
 *
 * A row's columns not in the declaration: the service drops them silently; here they are a 400,
 * so a sink that drifts from the declared shape fails its test instead of losing the column.
 */
export interface StreamColumn {
  readonly name: string;
  readonly type: string;
}

export interface DataCollectionRule {
  readonly immutableId: string;
  readonly streamDeclarations: Readonly<Record<string, { readonly columns: readonly StreamColumn[] }>>;
  readonly dataFlows: readonly { readonly streams: readonly string[]; readonly transformKql: string; readonly outputStream: string }[];
}

export interface LogsIngestionOptions {
  readonly token: TokenEndpoint;
  readonly dcr: DataCollectionRule;
  /** Where accepted rows land; undefined keeps them only in `accepted`. */
  readonly workspace?: LogAnalyticsEmulator;
  /** Client ids holding Monitoring Metrics Publisher on the DCR; undefined lets every valid token in. */
  readonly publishers?: readonly string[];
  /** The call size limit (compressed and uncompressed), 1 MB unless a test lowers it. */
  readonly maxBytes?: number;
}

export interface UploadRecord {
  readonly stream: string;
  readonly status: number;
  readonly rows: number;
  /** Bytes on the wire, and after gunzip. */
  readonly wireBytes: number;
  readonly bodyBytes: number;
  readonly gzip: boolean;
  readonly error?: string;
}

export interface IngestionFault {
  times: number;
  readonly status: 413 | 429 | 500 | 503;
  readonly retryAfterSeconds?: number;
  readonly stream?: string;
}

export const INGESTION_AUDIENCE = 'https://monitor.azure.com';
export const API_VERSION = '2023-01-01';
/** 1 MB as the service counts it. */
export const MAX_CALL_BYTES = 1_000_000;

/** The solution's DCR (what `tierzero package sentinel` deploys) under an immutable id. */
export function solutionDcr(immutableId: string): DataCollectionRule {
  const dcr = customTableResources().find((r) => r.type === 'Microsoft.Insights/dataCollectionRules');
  if (!dcr) throw new Error('the solution declares no data collection rule');
  const p = dcr.properties as unknown as Omit<DataCollectionRule, 'immutableId'>;
  return { immutableId, streamDeclarations: p.streamDeclarations, dataFlows: p.dataFlows };
}

export class LogsIngestionEmulator {
  readonly uploads: UploadRecord[] = [];
  readonly faults: IngestionFault[] = [];
  /** Every accepted row per stream, in arrival order. */
  readonly accepted = new Map<string, Record<string, unknown>[]>();
  /** Called as a request arrives, before anything is checked (a test revokes tokens here). */
  onArrival: ((stream: string) => void) | undefined;
  /** Called once rows are stored, before the 204 is sent (a test kills the client here). */
  afterAccept: ((stream: string, rows: number) => Promise<void> | void) | undefined;
  private server: Server | undefined;
  private port = 0;
  private arrived = 0;
  private gate: { readonly until: number; readonly open: Promise<void>; release: () => void } | undefined;
  maxBytes: number;

  constructor(private readonly o: LogsIngestionOptions) {
    this.maxBytes = o.maxBytes ?? MAX_CALL_BYTES;
    for (const f of o.dcr.dataFlows) {
      if (f.transformKql.trim() !== 'source') throw new Error(`DCR data flow ${f.streams.join(',')}: transformKql ${JSON.stringify(f.transformKql)} is not emulated (only \`source\`)`);
    }
  }

  /** The data collection endpoint's logs-ingestion URL: what `sentinel.ingestion.endpoint` is set to. */
  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    ({ server: this.server, port: this.port } = await listenLoopbackTls((req, res) => void this.handle(req, res).catch((e: unknown) => send(res, 500, { error: { code: 'InternalServerError', message: String(e) } }))));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  /** Holds every request until `n` have arrived: two clients are both mid-write before either is answered. */
  holdUntil(n: number): void {
    let release = (): void => undefined;
    const open = new Promise<void>((r) => { release = r; });
    this.gate = { until: this.arrived + n, open, release };
  }

  rows(stream: string): Record<string, unknown>[] {
    return this.accepted.get(stream) ?? [];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://emulator');
    const wire = await readBody(req);
    const m = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(url.pathname);
    if (!m || req.method !== 'POST') return send(res, 404, { error: { code: 'NotFound', message: `${req.method} ${url.pathname} is not an endpoint of the Logs Ingestion API` } });
    const stream = decodeURIComponent(m[2] as string);
    this.arrived++;
    this.onArrival?.(stream);
    if (this.gate) {
      if (this.arrived >= this.gate.until) this.gate.release();
      await this.gate.open;
    }
    const gzip = /^gzip$/i.test(String(req.headers['content-encoding'] ?? ''));
    const record = (status: number, rows: number, bodyBytes: number, error?: string): void => {
      this.uploads.push({ stream, status, rows, wireBytes: wire.length, bodyBytes, gzip, ...(error ? { error } : {}) });
    };
    const refuse = (status: number, code: string, message: string, bodyBytes = wire.length, headers: Record<string, string> = {}): void => {
      record(status, 0, bodyBytes, code);
      send(res, status, { error: { code, message } }, headers);
    };
    if (url.searchParams.get('api-version') !== API_VERSION) return refuse(400, 'InvalidApiVersion', `api-version ${url.searchParams.get('api-version') ?? '(none)'} is not supported; use ${API_VERSION}`);
    const auth = this.o.token.check(req.headers.authorization, INGESTION_AUDIENCE);
    if (!auth.ok) return refuse(401, auth.code, auth.message, wire.length, { 'www-authenticate': auth.challenge });
    if (decodeURIComponent(m[1] as string) !== this.o.dcr.immutableId) return refuse(404, 'NotFound', `Data collection rule ${m[1]} not found`);
    if (this.o.publishers && !this.o.publishers.includes(auth.token.clientId)) {
      return refuse(403, 'OperationFailed', 'The authentication token provided does not have access to ingest data for the data collection rule (Monitoring Metrics Publisher is required)');
    }
    const declaration = this.o.dcr.streamDeclarations[stream];
    const flow = this.o.dcr.dataFlows.find((f) => f.streams.includes(stream));
    if (!declaration || !flow) return refuse(404, 'InvalidStream', `Stream ${stream} is not declared in data collection rule ${this.o.dcr.immutableId}`);
    const fault = this.faults.find((f) => f.times > 0 && (f.stream === undefined || f.stream === stream));
    if (fault) {
      fault.times--;
      return refuse(fault.status, fault.status === 429 ? 'TooManyRequests' : fault.status === 413 ? 'ContentLengthLimitExceeded' : 'ServiceUnavailable', 'injected fault', wire.length,
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {});
    }
    if (wire.length > this.maxBytes) return refuse(413, 'ContentLengthLimitExceeded', `The request body is ${wire.length} bytes; the maximum is ${this.maxBytes} bytes`);
    let body: Buffer;
    try {
      body = gzip ? gunzipSync(wire) : wire;
    } catch {
      return refuse(400, 'InvalidContentEncoding', 'Content-Encoding is gzip but the body is not valid gzip');
    }
    if (body.length > this.maxBytes) return refuse(413, 'ContentLengthLimitExceeded', `The uncompressed request body is ${body.length} bytes; the maximum is ${this.maxBytes} bytes`, body.length);
    let rows: unknown;
    try {
      rows = JSON.parse(body.toString('utf8'));
    } catch {
      return refuse(400, 'InvalidPayload', `The request body is not JSON${body[0] === 0x1f && body[1] === 0x8b ? ' (it is gzip again: compressed twice?)' : ''}`, body.length);
    }
    if (!Array.isArray(rows)) return refuse(400, 'InvalidPayload', 'The request body must be a JSON array of objects', body.length);
    const problem = checkRows(rows, declaration.columns);
    if (problem) return refuse(400, 'InvalidPayload', `Stream ${stream}: ${problem}`, body.length);
    const list = this.accepted.get(stream) ?? [];
    list.push(...(rows as Record<string, unknown>[]));
    this.accepted.set(stream, list);
    if (this.o.workspace) {
      const table = flow.outputStream.replace(/^Custom-/, '') as TableName;
      this.o.workspace.ingest(table, (rows as Record<string, unknown>[]).map((r) => ({ ...r, _ItemId: randomUUID() })), Date.now());
    }
    record(204, rows.length, body.length);
    await this.afterAccept?.(stream, rows.length);
    res.writeHead(204, { 'x-ms-request-id': randomUUID() });
    res.end();
  }
}

/** The first row that does not fit the declaration, described; undefined when all do. */
export function checkRows(rows: readonly unknown[], columns: readonly StreamColumn[]): string | undefined {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  for (const [i, r] of rows.entries()) {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return `row ${i} is not an object`;
    for (const [k, v] of Object.entries(r)) {
      const type = types.get(k);
      if (type === undefined) return `row ${i} has column ${k}, which the stream does not declare`;
      if (!fits(type, v)) return `row ${i} column ${k}: ${JSON.stringify(v)?.slice(0, 80)} is not a ${type}`;
    }
  }
  return undefined;
}

/** DCR input types: string, int, long, real, boolean, datetime, dynamic; null fits each. */
function fits(type: string, v: unknown): boolean {
  if (v === null) return true;
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'int': case 'long': return typeof v === 'number' && Number.isInteger(v);
    case 'real': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'datetime': return typeof v === 'string' && Number.isFinite(Date.parse(v));
    case 'dynamic': return true;
    default: return false;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
