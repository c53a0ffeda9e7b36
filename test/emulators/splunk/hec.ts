import type { ServerResponse } from 'node:http';
import { flattenJson, type EventStore } from './event-store';
import { sendJson, type RecordedRequest } from './http-util';

/**
 * HTTP Event Collector (help.splunk.com "Format events for HTTP Event Collector", "About HTTP
 * Event Collector Indexer Acknowledgment", "Troubleshoot HTTP Event Collector"): events as JSON
 * objects back to back, `Authorization: Splunk <token>`, per-token allowed indexes, channels
 * and ack ids when the token has indexer acknowledgement on, and HEC's status codes.
 */
export interface HecToken {
  readonly ack?: boolean;
  readonly indexes?: readonly string[];
  readonly defaultIndex?: string;
  disabled?: boolean;
}

export class Hec {
  private readonly acks = new Map<string, { next: number; pending: Map<number, number> }>();
  /** Polls an ack id stays `false` before it turns `true` (indexing latency). */
  ackPendingPolls = 0;

  constructor(private readonly tokens: Record<string, HecToken>, private readonly store: EventStore, private readonly now: () => number) {}

  handle(r: RecordedRequest, res: ServerResponse): number {
    if (r.path === '/services/collector/health' && r.method === 'GET') return reply(res, 200, 'HEC is healthy', 17);
    const auth = r.headers['authorization'];
    if (auth === undefined) return reply(res, 401, 'Token is required', 2);
    const m = /^Splunk\s+(\S+)$/.exec(auth);
    if (!m) return reply(res, 401, 'Invalid authorization', 3);
    const token = this.tokens[m[1] as string];
    if (!token) return reply(res, 403, 'Invalid token', 4);
    if (token.disabled) return reply(res, 403, 'Token disabled', 1);
    const channel = (r.headers['x-splunk-request-channel'] as string | undefined) ?? r.query['channel'];
    if (r.path === '/services/collector/ack' && r.method === 'POST') {
      if (!token.ack) return reply(res, 400, 'ACK is disabled', 14);
      if (!channel) return reply(res, 400, 'Data channel is missing', 10);
      const asked = (JSON.parse(r.body || '{}') as { acks?: number[] }).acks ?? [];
      const state = this.acks.get(channel);
      const out: Record<string, boolean> = {};
      for (const id of asked) {
        const polls = state?.pending.get(id);
        if (polls === undefined) out[String(id)] = false;
        else if (polls >= this.ackPendingPolls) out[String(id)] = true;
        else {
          state?.pending.set(id, polls + 1);
          out[String(id)] = false;
        }
      }
      sendJson(res, 200, { acks: out });
      return 200;
    }
    if ((r.path === '/services/collector/event' || r.path === '/services/collector') && r.method === 'POST') {
      if (token.ack && !channel) return reply(res, 400, 'Data channel is missing', 10);
      const parsed = parseConcatenated(r.body);
      if (parsed === 'empty') return reply(res, 400, 'No data', 5);
      if (typeof parsed === 'number') return reply(res, 400, 'Invalid data format', 6, parsed);
      const events: Parameters<EventStore['add']>[0][] = [];
      for (const [i, e] of parsed.entries()) {
        if (!('event' in e)) return reply(res, 400, 'Event field is required', 12, i);
        if (e['event'] === '' || e['event'] === null) return reply(res, 400, 'Event field cannot be blank', 13, i);
        const index = typeof e['index'] === 'string' ? e['index'] : (token.defaultIndex ?? 'main');
        if (token.indexes && !token.indexes.includes(index)) return reply(res, 400, 'Incorrect index', 7, i);
        const body = e['event'];
        const indexed = (e['fields'] ?? {}) as Record<string, unknown>;
        const fields = { ...(typeof body === 'object' ? flattenJson(body) : {}), ...Object.fromEntries(Object.entries(indexed).map(([k, v]) => [k, String(v)])) };
        events.push({
          index, fields,
          sourcetype: typeof e['sourcetype'] === 'string' ? e['sourcetype'] : 'httpevent',
          source: typeof e['source'] === 'string' ? e['source'] : 'http:emulated-token',
          host: typeof e['host'] === 'string' ? e['host'] : 'hec-client',
          time: typeof e['time'] === 'number' ? Math.round(e['time'] * 1000) : this.now(),
          indexTime: Math.floor(this.now() / 1000),
          raw: typeof body === 'string' ? body : JSON.stringify(body),
        });
      }
      for (const e of events) this.store.add(e);
      if (!token.ack || !channel) return reply(res, 200, 'Success', 0);
      const state = this.acks.get(channel) ?? { next: 0, pending: new Map<number, number>() };
      this.acks.set(channel, state);
      const ackId = state.next++;
      state.pending.set(ackId, 0);
      sendJson(res, 200, { text: 'Success', code: 0, ackId });
      return 200;
    }
    return reply(res, 404, 'The requested URL was not found on this server.', 404);
  }
}

/** HEC bodies are JSON objects one after another, with or without whitespace between. */
function parseConcatenated(body: string): Record<string, unknown>[] | number | 'empty' {
  const out: Record<string, unknown>[] = [];
  let i = 0;
  const s = body;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i] as string)) i++;
    if (i >= s.length) break;
    if (s[i] !== '{') return out.length;
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < s.length; j++) {
      const c = s[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    try {
      out.push(JSON.parse(s.slice(i, j + 1)) as Record<string, unknown>);
    } catch {
      return out.length;
    }
    i = j + 1;
  }
  return out.length ? out : 'empty';
}

function reply(res: ServerResponse, status: number, text: string, code: number, invalid?: number): number {
  sendJson(res, status, { text, code, ...(invalid !== undefined ? { 'invalid-event-number': invalid } : {}) });
  return status;
}
