import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kibanaRuleProblems } from '../../../adapters/elastic/rule-schema';

/**
 * A loopback Kibana for the three calls that install the Elastic package, written from
 * Kibana's documented wire formats (Kibana cannot run here):
 * - `POST /api/detection_engine/rules/_import` (elastic/kibana
 *   …/detection_engine/rule_management/import_rules/import_rules_route.schema.yaml): multipart
 *   form, part `file` holding `.ndjson`; `overwrite` query flag; 200 with `success`,
 *   `success_count`, `rules_count`, `errors` (ErrorSchema: `rule_id`, `error.status_code`,
 *   `error.message`) and the `exceptions_*` / `action_connectors_*` counters. Each line is
 *   checked as Kibana does: JSON, then the rule schema (adapters/elastic/kibana-rule.schema.json,
 *   from Kibana's OpenAPI rule schema, and rule_to_import_validation.ts), a rule_id at most once
 *   per file, and an existing rule_id only with `overwrite=true` (409 otherwise).
 * - `POST /api/saved_objects/_import` (Kibana "Import saved objects" API): multipart `file`,
 *   `overwrite`; 200 with `success`, `successCount`, `successResults`, `errors`; an object whose
 *   references point at nothing in the file or the store is a `missing_references` error.
 * - `POST /api/actions/connector` (Kibana "Create a connector" API): JSON `name`,
 *   `connector_type_id`, `config`, `secrets`; the `.webhook` config checked as
 *   stack_connectors/server/connector_types/webhook/schema.ts and common/auth/schema.ts define
 *   it (url, method post|put, headers, hasAuth, authType; user and password together).
 * Every route needs `kbn-xsrf` (Kibana's XSRF filter answers 400 without it) and, when the
 * emulator is given one, the API key.
 */
export interface KibanaEmulatorOptions {
  /** `Authorization: ApiKey <key>` required when set. */
  readonly apiKey?: string;
}

export interface ImportedConnector {
  readonly id: string;
  readonly name: string;
  readonly connector_type_id: string;
  readonly config: Record<string, unknown>;
  readonly secrets: Record<string, unknown>;
}

export interface RecordedKibanaRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: IncomingMessage['headers'];
  status: number;
}

const SAVED_OBJECT_TYPES = new Set(['dashboard', 'lens', 'visualization', 'search', 'index-pattern', 'tag', 'config']);

export class KibanaEmulator {
  readonly rules = new Map<string, Record<string, unknown>>();
  readonly savedObjects = new Map<string, Record<string, unknown>>();
  readonly connectors = new Map<string, ImportedConnector>();
  readonly requests: RecordedKibanaRequest[] = [];
  private server: Server | undefined;
  private nextConnector = 1;

  constructor(private readonly opts: KibanaEmulatorOptions = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => send(res, 500, { statusCode: 500, error: 'Internal Server Error', message: String(err) }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kibana');
    const rec: RecordedKibanaRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, status: 0 };
    this.requests.push(rec);
    const answer = (status: number, body: unknown): void => {
      rec.status = status;
      send(res, status, body);
    };
    const body = await readAll(req);
    if (this.opts.apiKey !== undefined && req.headers.authorization !== `ApiKey ${this.opts.apiKey}`) {
      return answer(401, { statusCode: 401, error: 'Unauthorized', message: '[security_exception]: unable to authenticate with provided credentials' });
    }
    if (req.method !== 'POST') return answer(404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
    // Kibana's XSRF protection: every mutating API call names kbn-xsrf (any value).
    if (req.headers['kbn-xsrf'] === undefined) return answer(400, { statusCode: 400, error: 'Bad Request', message: 'Request must contain a kbn-xsrf header.' });
    const overwrite = url.searchParams.get('overwrite') === 'true';
    switch (url.pathname) {
      case '/api/detection_engine/rules/_import': {
        const file = ndjsonPart(req, body);
        if ('error' in file) return answer(400, { statusCode: 400, error: 'Bad Request', message: file.error });
        return answer(200, this.importRules(file.text, overwrite));
      }
      case '/api/saved_objects/_import': {
        const file = ndjsonPart(req, body);
        if ('error' in file) return answer(400, { statusCode: 400, error: 'Bad Request', message: file.error });
        return answer(200, this.importSavedObjects(file.text, overwrite));
      }
      case '/api/actions/connector': {
        const created = this.createConnector(body.toString('utf8'));
        return 'error' in created ? answer(400, { statusCode: 400, error: 'Bad Request', message: created.error }) : answer(200, created.connector);
      }
      default:
        return answer(404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
    }
  }

  private importRules(text: string, overwrite: boolean): Record<string, unknown> {
    const errors: { rule_id: string; error: { status_code: number; message: string } }[] = [];
    const seen = new Set<string>();
    let count = 0;
    let ok = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let rule: unknown;
      try {
        rule = JSON.parse(line);
      } catch (err) {
        count++;
        errors.push({ rule_id: '(unknown id)', error: { status_code: 400, message: (err as Error).message } });
        continue;
      }
      // An export's trailing summary line ({"exported_count": …}) is not a rule.
      if (rule !== null && typeof rule === 'object' && 'exported_count' in rule) continue;
      count++;
      const id = rule !== null && typeof rule === 'object' && typeof (rule as { rule_id?: unknown }).rule_id === 'string' ? (rule as { rule_id: string }).rule_id : '(unknown id)';
      const problems = kibanaRuleProblems(rule);
      if (problems.length) {
        errors.push({ rule_id: id, error: { status_code: 400, message: problems.join(', ') } });
        continue;
      }
      if (seen.has(id)) {
        errors.push({ rule_id: id, error: { status_code: 400, message: `More than one rule with rule-id: "${id}" found` } });
        continue;
      }
      seen.add(id);
      if (this.rules.has(id) && !overwrite) {
        errors.push({ rule_id: id, error: { status_code: 409, message: `rule_id: "${id}" already exists` } });
        continue;
      }
      this.rules.set(id, rule as Record<string, unknown>);
      ok++;
    }
    return {
      success: errors.length === 0,
      success_count: ok,
      rules_count: count,
      errors,
      exceptions_success: true,
      exceptions_success_count: 0,
      exceptions_errors: [],
      action_connectors_success: true,
      action_connectors_success_count: 0,
      action_connectors_errors: [],
      action_connectors_warnings: [],
    };
  }

  private importSavedObjects(text: string, overwrite: boolean): Record<string, unknown> {
    const objects: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        objects.push(JSON.parse(line) as Record<string, unknown>);
      } catch (err) {
        errors.push({ id: '(unknown id)', type: '(unknown type)', error: { type: 'unknown', message: (err as Error).message } });
      }
    }
    const key = (type: unknown, id: unknown): string => `${String(type)}:${String(id)}`;
    const inFile = new Set(objects.map((o) => key(o['type'], o['id'])));
    const results: Record<string, unknown>[] = [];
    for (const o of objects) {
      const { type, id } = o as { type?: unknown; id?: unknown };
      const attributes = o['attributes'] as { title?: unknown } | undefined;
      const title = typeof attributes?.title === 'string' ? attributes.title : undefined;
      if (typeof type !== 'string' || typeof id !== 'string' || attributes === null || typeof attributes !== 'object') {
        errors.push({ id: String(id), type: String(type), error: { type: 'unknown', message: 'a saved object needs type, id and attributes' } });
        continue;
      }
      if (!SAVED_OBJECT_TYPES.has(type)) {
        errors.push({ id, type, title, error: { type: 'unsupported_type' } });
        continue;
      }
      const refs = Array.isArray(o['references']) ? (o['references'] as { type?: unknown; id?: unknown; name?: unknown }[]) : [];
      const missing = refs.filter((r) => typeof r.name !== 'string' || !(inFile.has(key(r.type, r.id)) || this.savedObjects.has(key(r.type, r.id))));
      if (missing.length) {
        errors.push({ id, type, title, error: { type: 'missing_references', references: missing.map((r) => ({ type: r.type, id: r.id })) } });
        continue;
      }
      if (this.savedObjects.has(key(type, id)) && !overwrite) {
        errors.push({ id, type, title, error: { type: 'conflict' } });
        continue;
      }
      this.savedObjects.set(key(type, id), o);
      results.push({ type, id, meta: { title } });
    }
    return { success: errors.length === 0, successCount: results.length, successResults: results, errors };
  }

  private createConnector(body: string): { connector: Record<string, unknown> } | { error: string } {
    let b: { name?: unknown; connector_type_id?: unknown; config?: unknown; secrets?: unknown };
    try {
      b = JSON.parse(body) as typeof b;
    } catch {
      return { error: '[request body]: expected a JSON object' };
    }
    if (typeof b.name !== 'string' || b.name === '') return { error: '[request body.name]: expected value of type [string]' };
    if (b.connector_type_id !== '.webhook') return { error: `[request body.connector_type_id]: connector type ${String(b.connector_type_id)} is not one this emulator knows (.webhook)` };
    const config = (b.config ?? {}) as Record<string, unknown>;
    const secrets = (b.secrets ?? {}) as Record<string, unknown>;
    const problem = webhookProblem(config, secrets);
    if (problem) return { error: `error validating connector type config: ${problem}` };
    const id = `connector-${this.nextConnector++}`;
    const connector: ImportedConnector = { id, name: b.name, connector_type_id: b.connector_type_id, config, secrets };
    this.connectors.set(id, connector);
    // The answer never echoes secrets (Kibana keeps them encrypted).
    return { connector: { id, name: b.name, connector_type_id: b.connector_type_id, config, is_preconfigured: false, is_deprecated: false, is_missing_secrets: false, is_system_action: false } };
  }
}

/** stack_connectors webhook config/secrets schema (the fields a client may set). */
function webhookProblem(config: Record<string, unknown>, secrets: Record<string, unknown>): string | undefined {
  const allowed = new Set(['url', 'method', 'headers', 'hasAuth', 'authType', 'certType', 'ca', 'verificationMode']);
  for (const k of Object.keys(config)) if (!allowed.has(k)) return `[${k}]: definition for this key is missing`;
  if (typeof config['url'] !== 'string') return '[url]: expected value of type [string]';
  try {
    new URL(config['url']);
  } catch {
    return `[url]: ${String(config['url'])} is not a valid URL`;
  }
  if (config['method'] !== undefined && config['method'] !== 'post' && config['method'] !== 'put') return '[method]: types that failed validation: expected "post" or "put"';
  const headers = config['headers'];
  if (headers !== undefined && headers !== null && (typeof headers !== 'object' || Object.values(headers as object).some((v) => typeof v !== 'string'))) return '[headers]: expected a record of strings';
  if (config['hasAuth'] !== undefined && typeof config['hasAuth'] !== 'boolean') return '[hasAuth]: expected value of type [boolean]';
  if (config['authType'] !== undefined && config['authType'] !== null && !['webhook-authentication-basic', 'webhook-authentication-ssl', 'webhook-oauth2-client-credentials'].includes(String(config['authType']))) return '[authType]: unknown authentication type';
  const user = secrets['user'];
  const password = secrets['password'];
  if ((user === undefined || user === null) !== (password === undefined || password === null)) return 'must specify one of the following schemas: user and password; crt and key (with optional password); or pfx (with optional password)';
  return undefined;
}

/** The multipart form's `file` part, which must be an `.ndjson` file (Kibana checks the extension). */
function ndjsonPart(req: IncomingMessage, body: Buffer): { text: string } | { error: string } {
  const type = req.headers['content-type'] ?? '';
  const m = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
  if (!m) return { error: 'Unsupported Media Type: send multipart/form-data with a file part' };
  const boundary = `--${m[1] ?? m[2]}`;
  for (const part of splitParts(body, boundary)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    if (!/\bname="file"/.test(disposition)) continue;
    const filename = /filename="([^"]*)"/.exec(disposition)?.[1] ?? '';
    const ext = filename.includes('.') ? filename.slice(filename.lastIndexOf('.')) : '';
    if (ext !== '.ndjson') return { error: `Invalid file extension ${ext || '(none)'}` };
    return { text: part.subarray(headerEnd + 4).toString('utf8') };
  }
  return { error: '[request body.file]: expected value of type [Stream] but got [undefined]' };
}

function splitParts(body: Buffer, boundary: string): Buffer[] {
  const out: Buffer[] = [];
  const sep = Buffer.from(boundary);
  let at = body.indexOf(sep);
  while (at >= 0) {
    const start = at + sep.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(sep, start);
    if (next < 0) break;
    // Each part sits between "\r\n" after the boundary and "\r\n" before the next one.
    out.push(body.subarray(start + 2, next - 2));
    at = next;
  }
  return out;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
