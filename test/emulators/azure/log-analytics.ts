import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { columnType, kustoSchemas, TABLES, type TableName } from '../../../adapters/sentinel/tables';
import type { KustoSchema } from '../../support/kusto';
import { evaluate, INGESTION, KDate, KqlEvalError, type Row, type Value } from './kql-eval';
import { closeServer, listenLoopbackTls } from './tls';
import type { TokenEndpoint } from './token';

/**
 * The Log Analytics query API on 127.0.0.1 (TLS), written from its documented wire format
 * (learn.microsoft.com rest/api/loganalytics/dataaccess/query/execute; Azure REST API specs
 * `specification/operationalinsights/data-plane/Microsoft.OperationalInsights/…/OperationalInsights.json`)
 * and driven in the tests by the real `@azure/monitor-query-logs` LogsQueryClient:
 * - POST /v1/workspaces/{workspaceId}/query, body `{query, timespan?}` (ISO 8601 interval; it
 *   bounds `TimeGenerated` of every table read), optional `Prefer: wait=…, include-statistics=true`;
 * - 200 `{tables:[{name:"PrimaryResult", columns:[{name,type}], rows:[[…]]}]}`, datetimes as
 *   ISO text and dynamic values as JSON text (the SDK parses both back);
 * - a result over the row or size limit (500,000 rows / 64 MB by default, configurable) comes
 *   back truncated *with* a top-level `error` beside the tables — the SDK's `PartialFailure`;
 * - 400 `BadArgumentError` with the Kusto language service's diagnostic for a query that does
 *   not parse or names an unknown table, column or function, or that uses an operator the
 *   evaluator (kql-eval.ts) does not run; 401 with a `WWW-Authenticate` challenge from the token
 *   endpoint's check; 403 for a workspace the app may not read; 429 with `Retry-After` on demand.
 * Rows live in memory per table, each with its ingestion time (what `ingestion_time()` returns)
 * and a unique `_ItemId`.
 */
/** One schema set for every emulator, so the language service's analyses are shared (kql-eval.ts caches them per set). */
const SCHEMAS: KustoSchema = kustoSchemas();

export interface LogAnalyticsOptions {
  readonly token: TokenEndpoint;
  readonly workspaceId: string;
  /** Client ids that may read the workspace (Log Analytics Reader); others get 403. */
  readonly readers?: readonly string[];
  readonly maxRows?: number;
  readonly maxBytes?: number;
  readonly now?: () => number;
}

export interface QueryRecord {
  readonly query: string;
  readonly timespan?: string;
  readonly prefer?: string;
  readonly status: number;
  readonly rows: number;
  readonly partial: boolean;
  readonly error?: string;
  /** Wall-clock ms the request arrived. */
  readonly at?: number;
}

export interface QueryFault {
  times: number;
  readonly status: 429 | 500 | 503;
  readonly retryAfterSeconds?: number;
  /** Only queries whose text matches. */
  readonly match?: RegExp;
}

export class LogAnalyticsEmulator {
  readonly queries: QueryRecord[] = [];
  readonly faults: QueryFault[] = [];
  private readonly tables = new Map<string, Row[]>();
  private server: Server | undefined;
  private port = 0;
  maxRows: number;
  maxBytes: number;

  constructor(private readonly o: LogAnalyticsOptions) {
    this.maxRows = o.maxRows ?? 500_000;
    this.maxBytes = o.maxBytes ?? 64 * 1024 * 1024;
    for (const t of Object.keys(TABLES)) this.tables.set(t, []);
  }

  /** What `LogsQueryClient`'s `endpoint` option is set to. */
  get endpoint(): string {
    return `https://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<this> {
    ({ server: this.server, port: this.port } = await listenLoopbackTls((req, res) => void this.handle(req, res).catch((e: unknown) => send(res, 500, { error: { code: 'InternalServerError', message: String(e) } }))));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  /**
   * Ingests rows into a table at `ingestedAt` (epoch ms): datetime columns given as text are
   * stored as datetimes, dynamic ones given as JSON text as values, as Log Analytics types them.
   */
  ingest(table: TableName, rows: readonly Record<string, unknown>[], ingestedAt: number): void {
    const list = this.tables.get(table);
    if (!list) throw new Error(`no table ${table}`);
    for (const r of rows) {
      const row: Row = {};
      for (const c of TABLES[table]) {
        const v = r[c.name];
        row[c.name] = typed(c.type, v);
      }
      for (const k of Object.keys(r)) if (columnType(table, k) === undefined) throw new Error(`${table} has no column ${k}`);
      row['_ItemId'] = (r['_ItemId'] as string | undefined) ?? randomUUID();
      row['Type'] = table;
      row[INGESTION] = ingestedAt;
      list.push(row);
    }
  }

  /** Rows a table holds (all ingestion times). */
  count(table: TableName): number {
    return this.tables.get(table)?.length ?? 0;
  }

  /** Runs a query as the service would, without HTTP (the bench and unit tests use it too). */
  run(query: string, timespan?: string): { columns: { name: string; type: string }[]; rows: unknown[][]; partial?: { code: string; message: string } } {
    const bounds = timespan ? parseTimespan(timespan, this.now()) : undefined;
    const result = evaluate(query, SCHEMAS, {
      now: () => this.now(),
      tables: (name) => {
        const rows = this.tables.get(name);
        if (!rows) return undefined;
        if (!bounds) return { rows };
        return { rows: rows.filter((r) => { const t = r['TimeGenerated']; return t instanceof KDate && t.ms >= bounds.from && t.ms < bounds.to; }) };
      },
    });
    const columns = result.columns.map((c) => ({ name: c.name, type: c.type }));
    const rows: unknown[][] = [];
    let bytes = 0;
    let partial: { code: string; message: string } | undefined;
    for (const r of result.rows) {
      if (rows.length >= this.maxRows) {
        partial = { code: 'E_QUERY_RESULT_SET_TOO_LARGE', message: `Query result set has exceeded the internal record count limit ${this.maxRows} records (E_QUERY_RESULT_SET_TOO_LARGE).` };
        break;
      }
      const wire = columns.map((c) => wireValue(c.type, r[c.name] as Value | undefined));
      const size = Buffer.byteLength(JSON.stringify(wire));
      if (bytes + size > this.maxBytes) {
        partial = { code: 'E_QUERY_RESULT_SET_TOO_LARGE', message: `Query result set has exceeded the internal data size limit ${this.maxBytes} bytes (E_QUERY_RESULT_SET_TOO_LARGE).` };
        break;
      }
      bytes += size;
      rows.push(wire);
    }
    return { columns, rows, ...(partial ? { partial } : {}) };
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://emulator');
    const body = await readBody(req);
    const m = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(url.pathname);
    if (!m || req.method !== 'POST') return send(res, 404, { error: { code: 'PathNotFoundError', message: `The requested path does not exist: ${req.method} ${url.pathname}` } });
    const auth = this.o.token.check(req.headers.authorization, 'https://api.loganalytics.io');
    if (!auth.ok) {
      this.queries.push({ query: '', status: 401, rows: 0, partial: false, error: auth.code, at: Date.now() });
      return send(res, 401, { error: { code: 'AuthorizationRequiredError', message: 'Valid authentication was not provided', innererror: { code: auth.code, message: auth.message } } }, { 'www-authenticate': auth.challenge });
    }
    const workspace = decodeURIComponent(m[1] as string);
    if (workspace !== this.o.workspaceId) return send(res, 404, { error: { code: 'WorkspaceNotFoundError', message: `Workspace ${workspace} could not be found` } });
    if (this.o.readers && !this.o.readers.includes(auth.token.clientId)) {
      this.queries.push({ query: '', status: 403, rows: 0, partial: false, error: 'InsufficientAccessError' });
      return send(res, 403, { error: { code: 'InsufficientAccessError', message: 'The provided credentials have insufficient access to perform the requested operation' } });
    }
    let parsed: { query?: unknown; timespan?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return send(res, 400, { error: { code: 'BadArgumentError', message: 'The request body is not JSON' } });
    }
    const query = typeof parsed.query === 'string' ? parsed.query : '';
    const timespan = typeof parsed.timespan === 'string' ? parsed.timespan : undefined;
    const prefer = typeof req.headers.prefer === 'string' ? req.headers.prefer : undefined;
    const base = { query, at: Date.now(), ...(timespan ? { timespan } : {}), ...(prefer ? { prefer } : {}) };
    const fault = this.faults.find((f) => f.times > 0 && (!f.match || f.match.test(query)));
    if (fault) {
      fault.times--;
      this.queries.push({ ...base, status: fault.status, rows: 0, partial: false, error: 'fault' });
      return send(res, fault.status, { error: { code: fault.status === 429 ? 'ThrottledError' : 'ServiceUnavailableError', message: fault.status === 429 ? 'Your request was throttled: too many requests. Retry after the time in Retry-After.' : 'The service is temporarily unavailable' } },
        fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {});
    }
    let out: ReturnType<LogAnalyticsEmulator['run']>;
    try {
      out = this.run(query, timespan);
    } catch (e) {
      if (!(e instanceof KqlEvalError)) throw e;
      this.queries.push({ ...base, status: 400, rows: 0, partial: false, error: `${e.code}: ${e.message}` });
      return send(res, 400, { error: { code: 'BadArgumentError', message: 'The request had some invalid properties', correlationId: randomUUID(), innererror: { code: e.code, message: e.message } } });
    }
    this.queries.push({ ...base, status: 200, rows: out.rows.length, partial: out.partial !== undefined });
    const result: Record<string, unknown> = { tables: [{ name: 'PrimaryResult', columns: out.columns, rows: out.rows }] };
    if (out.partial) {
      result['error'] = { code: 'PartialError', message: 'There were some errors when processing your query.', details: [{ code: 'EngineError', message: 'Something went wrong processing your query on the server.', innererror: { code: out.partial.code, message: out.partial.message } }] };
    }
    if (prefer && /include-statistics=true/.test(prefer)) result['statistics'] = { query: { executionTime: 0.01, resourceUsage: { cache: {} }, datasetStatistics: [{ tableRowCount: out.rows.length, tableSize: Buffer.byteLength(JSON.stringify(out.rows)) }] } };
    send(res, 200, result);
  }
}

function typed(type: string, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (type === 'datetime') {
    if (v instanceof KDate) return v;
    const t = typeof v === 'number' ? v : Date.parse(String(v));
    if (!Number.isFinite(t)) throw new Error(`not a datetime: ${JSON.stringify(v)}`);
    return new KDate(t);
  }
  if (type === 'dynamic' && typeof v === 'string') {
    try { return JSON.parse(v); } catch { return v; }
  }
  if ((type === 'int' || type === 'long' || type === 'real') && typeof v === 'string') {
    const n = Number(v);
    return v.trim() === '' || !Number.isFinite(n) ? null : n;
  }
  if (type === 'bool' && typeof v === 'string') return v.toLowerCase() === 'true';
  return v;
}

/** A value as the REST API writes it in a row: dynamic as JSON text, datetimes ISO, nulls null. */
function wireValue(type: string, v: Value | undefined): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof KDate) return new Date(v.ms).toISOString();
  if (type === 'dynamic') return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  if (type === 'string' && typeof v === 'object') return JSON.stringify(v);
  return v;
}

/** ISO 8601 interval: `start/end`, `start/duration`, `duration/end`, or a duration ending now. */
export function parseTimespan(t: string, now: number): { from: number; to: number } {
  const parts = t.split('/');
  if (parts.length === 1) return { from: now - duration(parts[0] as string), to: now };
  const [a, b] = parts as [string, string];
  if (a.startsWith('P')) { const to = Date.parse(b); return { from: to - duration(a), to }; }
  const from = Date.parse(a);
  return { from, to: b.startsWith('P') ? from + duration(b) : Date.parse(b) };
}

function duration(d: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$/.exec(d);
  if (!m) throw new KqlEvalError('SyntaxError', `bad ISO 8601 duration ${d}`);
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
