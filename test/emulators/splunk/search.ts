import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseTimeArg, type EventStore } from './event-store';
import { messages, sendJson, type RecordedRequest } from './http-util';
import { applyStages, expandMacros, matches, parseQuery, parseStage, SplError, type MacroDefinition, type Row } from './spl-eval';
import { applyLookupStages, runLookupSearch, splitTopLevel } from './spl-lookup';

/**
 * The search endpoints, v1 (`search/jobs…`, results by GET) and v2 (`search/v2/jobs…`, results
 * by POST), under /services or an app namespace (which decides the macros a search sees):
 * - `jobs/export`: streamed JSON lines `{"preview","offset","result"}`, `"lastrow":true` on the
 *   last; a reporting search (sort/dedup) first streams preview rows, as Splunk does;
 * - `jobs` (normal, blocking, oneshot), `jobs/{sid}`, `jobs/{sid}/results`, `jobs/{sid}/control`.
 * Time bounds: `earliest_time`/`latest_time` on `_time` and `index_earliest`/`index_latest` on
 * `_indextime`, earliest inclusive and latest exclusive. A search that starts with
 * `| inputlookup` reads a KV store lookup of the app instead (spl-lookup.ts). A subsearch
 * `[…]` runs first and becomes `( ( f="v" ) OR … )`, as Splunk's implicit `format` writes it;
 * pipeline commands spl-eval.ts does not know (table, rename, streamstats…) run in spl-lookup.ts.
 */
interface Job {
  readonly sid: string;
  readonly rows: Row[];
  polls: number;
}

export class Search {
  /** Preview rows streamed before the final rows of a reporting search. */
  previewRows = 2;
  /** Cut the next export stream(s) after this many final rows. */
  truncateExports: { afterRows: number; times: number } | undefined;
  /** Status polls before a job reports DONE. */
  jobPollsUntilDone = 0;
  indexLatestInclusive = false;
  private readonly jobs = new Map<string, Job>();
  private nextSid = 1;

  constructor(
    private readonly store: EventStore,
    private readonly now: () => number,
    private readonly macrosOf: (app: string | undefined) => ReadonlyMap<string, MacroDefinition>,
    private readonly lookupOf: (app: string | undefined, name: string) => Row[] | undefined = () => undefined,
  ) {}

  handle(app: string | undefined, rest: string, r: RecordedRequest, req: IncomingMessage, res: ServerResponse, v2: boolean): number {
    const m = /^search\/(v2\/)?jobs(?:\/(export)|\/([^/]+)(?:\/(results|control))?)?$/.exec(rest);
    if (!m) return reply(res, 404, messages('ERROR', `Not Found: ${rest}`));
    const [, isV2, exportPath, sid, sub] = m;
    if (isV2 && !v2) return reply(res, 404, messages('ERROR', `Not Found: ${rest} (this Splunk version has no v2 search API)`));
    let rows: Row[];
    if (exportPath) {
      if (r.method !== 'GET' && r.method !== 'POST') return reply(res, 405, messages('ERROR', 'method not allowed'));
      try {
        rows = this.run(app, r.params);
      } catch (e) {
        if (e instanceof SplError) return reply(res, 400, messages('FATAL', e.message));
        throw e;
      }
      return this.export(rows, r, req, res);
    }
    if (sid === undefined) {
      if (r.method !== 'POST') return reply(res, 405, messages('ERROR', 'method not allowed'));
      try {
        rows = this.run(app, r.params);
      } catch (e) {
        if (e instanceof SplError) return reply(res, 400, messages('FATAL', e.message));
        throw e;
      }
      if (r.params['exec_mode'] === 'oneshot') return reply(res, 200, render(rows, r.params['output_mode'] ?? 'xml', 0));
      const job: Job = { sid: `emulated.${this.nextSid++}`, rows, polls: 0 };
      this.jobs.set(job.sid, job);
      return reply(res, 201, { sid: job.sid });
    }
    const job = this.jobs.get(decodeURIComponent(sid));
    if (!job) return reply(res, 404, messages('FATAL', `Unknown sid.`));
    if (sub === undefined) {
      if (r.method === 'DELETE') {
        this.jobs.delete(job.sid);
        return reply(res, 200, messages('INFO', 'Search job cancelled.'));
      }
      const done = job.polls++ >= this.jobPollsUntilDone;
      return reply(res, 200, { entry: [{ name: job.sid, content: {
        sid: job.sid, dispatchState: done ? 'DONE' : 'RUNNING', isDone: done, isFailed: false,
        resultCount: job.rows.length, eventCount: job.rows.length, doneProgress: done ? 1 : 0.5,
      } }] });
    }
    if (sub === 'control') {
      if (r.params['action'] === 'cancel') this.jobs.delete(job.sid);
      return reply(res, 200, messages('INFO', 'Search job cancelled.'));
    }
    // v2 fetches results with POST, v1 with GET (splunk-sdk lib/service.js Job.results).
    if (r.method !== (isV2 ? 'POST' : 'GET')) return reply(res, 405, messages('ERROR', `results use ${isV2 ? 'POST' : 'GET'} on this API version`));
    const count = Number(r.params['count'] ?? '100');
    const offset = Number(r.params['offset'] ?? '0');
    const page = count === 0 ? job.rows.slice(offset) : job.rows.slice(offset, offset + count);
    return reply(res, 200, render(page, r.params['output_mode'] ?? 'xml', offset));
  }

  run(app: string | undefined, params: Record<string, string>): Row[] {
    const spl = params['search'];
    if (!spl) throw new SplError('Empty search.');
    if (spl.trim().startsWith('|')) return runLookupSearch(spl, (name) => this.lookupOf(app, name));
    // Macros first, as Splunk expands them before it parses the pipeline: a stage's text is only known after.
    const [head = '', ...stages] = splitTopLevel(expandMacros(this.expandSubsearches(app, spl), this.macrosOf(app), 0), '|');
    const known = stages.findIndex((st) => !parsesAsEventStage(st));
    const cut = known < 0 ? stages.length : known;
    const rows = this.runEvents(app, params, [head, ...stages.slice(0, cut)].join('|'));
    return applyLookupStages(stages.slice(cut), rows);
  }

  /** `[search]` → the inner search's rows as `( ( f="v" AND … ) OR … )`; no rows match nothing (Splunk writes `NOT ()`). */
  private expandSubsearches(app: string | undefined, spl: string): string {
    let out = '';
    let quoted = false;
    for (let i = 0; i < spl.length; i++) {
      const c = spl[i] as string;
      if (c === '"' && spl[i - 1] !== '\\') quoted = !quoted;
      if (c !== '[' || quoted) {
        out += c;
        continue;
      }
      let depth = 1;
      let j = i + 1;
      for (; j < spl.length && depth > 0; j++) depth += spl[j] === '[' ? 1 : spl[j] === ']' ? -1 : 0;
      if (depth > 0) throw new SplError("Error in 'SearchParser': Missing a closing bracket for the subsearch.");
      const inner = this.run(app, { search: spl.slice(i + 1, j - 1).trim() });
      const terms = inner.map((r) => `( ${Object.entries(r).filter(([k]) => !k.startsWith('_')).map(([k, v]) => `${k}="${String(Array.isArray(v) ? v[0] : v).replace(/["\\]/g, '\\$&')}"`).join(' AND ')} )`);
      out += terms.length ? `( ${terms.join(' OR ')} )` : '_tierzero_empty_subsearch=*';
      i = j - 1;
    }
    return out;
  }

  private runEvents(app: string | undefined, params: Record<string, string>, spl: string): Row[] {
    const q = parseQuery(spl, this.macrosOf(app));
    const nowS = this.now() / 1000;
    const earliest = parseTimeArg(params['earliest_time'], nowS);
    const latest = parseTimeArg(params['latest_time'], nowS);
    const iEarliest = parseTimeArg(params['index_earliest'], nowS);
    const iLatest = parseTimeArg(params['index_latest'], nowS);
    const rows: Row[] = [];
    for (const e of this.store.events) {
      const t = e.time / 1000;
      if (earliest !== undefined && t < earliest) continue;
      if (latest !== undefined && t >= latest) continue;
      if (iEarliest !== undefined && e.indexTime < iEarliest) continue;
      if (iLatest !== undefined && (this.indexLatestInclusive ? e.indexTime > iLatest : e.indexTime >= iLatest)) continue;
      if (matches(q.filter, e.row)) rows.push(e.row);
    }
    // Raw events come back newest first, as Splunk returns them.
    rows.reverse().sort((a, b) => Date.parse(b['_time'] as string) - Date.parse(a['_time'] as string));
    return applyStages(q.stages, rows);
  }

  private export(rows: Row[], r: RecordedRequest, req: IncomingMessage, res: ServerResponse): number {
    const mode = r.params['output_mode'] ?? 'xml';
    if (mode !== 'json') return reply(res, 400, messages('FATAL', 'tierzero emulator: export supports output_mode=json only'));
    const spl = r.params['search'] ?? '';
    const reporting = /\|\s*(sort|dedup|stats)\b/.test(spl);
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'transfer-encoding': 'chunked' });
    if (reporting) for (const [i, row] of rows.slice(0, this.previewRows).entries()) res.write(`${JSON.stringify({ preview: true, offset: i, result: row })}\n`);
    const cut = this.truncateExports && this.truncateExports.times > 0 ? this.truncateExports : undefined;
    if (cut) cut.times--;
    for (const [i, row] of rows.entries()) {
      const line = `${JSON.stringify({ preview: false, offset: i, ...(i === rows.length - 1 ? { lastrow: true } : {}), result: row })}\n`;
      if (cut && i === cut.afterRows - 1) {
        // The connection dies mid-stream, once what was written has left: no last row, no terminating chunk.
        res.write(line, () => req.socket.destroy());
        return 200;
      }
      res.write(line);
    }
    res.end();
    return 200;
  }
}

/** `json`: results with field list; `json_rows`: field names and row arrays (splunk-sdk's default). */
function render(rows: readonly Row[], mode: string, offset: number): unknown {
  const fields = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (mode === 'json_rows') return { preview: false, init_offset: offset, messages: [], fields, rows: rows.map((r) => fields.map((f) => r[f] ?? null)) };
  return { preview: false, init_offset: offset, messages: [], fields: fields.map((name) => ({ name })), results: rows };
}

function parsesAsEventStage(stage: string): boolean {
  try {
    parseStage(stage);
    return true;
  } catch (e) {
    if (e instanceof SplError) return false;
    throw e;
  }
}

function reply(res: ServerResponse, status: number, body: unknown): number {
  sendJson(res, status, body);
  return status;
}
