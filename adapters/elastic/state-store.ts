import type { Client } from '@elastic/elasticsearch';
import type { GetResponse } from '@elastic/elasticsearch/lib/api/types';
import { gunzipSync, gzipSync } from 'node:zlib';
import { checkState, StateConflictError, type EngineState, type LoadedState, type StateStore, type StateToken } from '../../core/state/state';
import { callElastic, type CallContext } from './client';
import { ElasticRequestError } from './errors';

/**
 * Engine state as one document per deployment in the `tierzero-state` index (templates.ts),
 * committed with Elasticsearch's optimistic concurrency control: `load` hands out the
 * document's `_seq_no` and `_primary_term` as the token, and `save` writes with `if_seq_no` /
 * `if_primary_term` (or `op_type: create` when nothing was stored), so of two overlapping passes
 * exactly one commits and the other gets a 409 (elastic.co "Optimistic concurrency control").
 * A GET by id is real-time: it sees the last write without a refresh.
 *
 * One document, not the generations of chunks Splunk's KV store needs (core/state/chunked-state.ts):
 * a conditional write is atomic for one document only, and chunks would need a lease to make
 * their commit compare-and-set. The state JSON is gzip'd into a `binary` field (stored, not
 * indexed) instead; state is repetitive JSON, so this keeps a large estate's state well under the
 * default `http.max_content_length` of 100 MB. A compressed state above `maxBytes` fails the
 * save with a message saying so, rather than a bare 413 from the node.
 */
export interface ElasticStateOptions {
  readonly client: Client;
  readonly index: string;
  readonly deploymentId: string;
  readonly ctx: CallContext;
  readonly clock: () => number;
  /** Largest compressed state written (default 64 MiB, leaving room under the 100 MB request cap for base64). */
  readonly maxBytes?: number;
}

const FORMAT = 'json+gzip';

interface StateDoc {
  readonly deployment_id: string;
  readonly saved_at: string;
  readonly format: string;
  readonly state_bytes: number;
  /** base64 of the gzip'd state JSON, as the `binary` field type takes it. */
  readonly state: string;
}

export class ElasticStateStore implements StateStore {
  readonly stats = { loadedBytes: 0, savedBytes: 0 };

  constructor(private readonly o: ElasticStateOptions) {}

  async load(): Promise<LoadedState | undefined> {
    const where = this.where();
    // 404: no document yet (or no index yet, before the first save created it).
    const res = await callElastic<GetResponse<StateDoc> | null>(this.o.ctx, `GET ${this.o.index}/_doc`, () => this.o.client.get<StateDoc>({ index: this.o.index, id: this.o.deploymentId }),
      (status) => (status === 404 ? null : undefined));
    if (!res?.found || !res._source) return undefined;
    const doc = res._source;
    if (doc.format !== FORMAT) throw new ElasticRequestError(where, undefined, `holds state in format ${JSON.stringify(doc.format)}, this tierzero reads ${FORMAT}`);
    const json = gunzipSync(Buffer.from(doc.state, 'base64')).toString('utf8');
    this.stats.loadedBytes = json.length;
    if (res._seq_no === undefined || res._primary_term === undefined) throw new ElasticRequestError(where, undefined, 'the GET answer carries no _seq_no/_primary_term');
    return { state: checkState(JSON.parse(json), where), token: encode(res._seq_no, res._primary_term) };
  }

  async save(state: EngineState, expected: StateToken | null): Promise<StateToken> {
    const json = JSON.stringify(state);
    const packed = gzipSync(json);
    const max = this.o.maxBytes ?? 64 * 1024 * 1024;
    if (packed.length > max) throw new ElasticRequestError(this.where(), undefined, `the compressed state is ${packed.length} bytes, over the ${max} bytes one document may hold here`);
    const document: StateDoc = { deployment_id: this.o.deploymentId, saved_at: new Date(this.o.clock()).toISOString(), format: FORMAT, state_bytes: json.length, state: packed.toString('base64') };
    const condition = expected === null ? { op_type: 'create' as const } : decode(expected, this.where());
    const conflict = expected === null ? 'a state document exists, this pass loaded none' : `the stored state is no longer ${expected}`;
    let tries = 0;
    const res = await callElastic<{ _seq_no?: number; _primary_term?: number } | 'conflict'>(this.o.ctx, `PUT ${this.o.index}/_doc`, () => {
      tries++;
      return this.o.client.index({ index: this.o.index, id: this.o.deploymentId, document, ...condition });
    }, (status) => (status === 409 ? 'conflict' : undefined));
    // version_conflict_engine_exception: someone else's write came between our load and this save —
    // or, after a retried try, our own: a 503/504 or a dropped connection may come after the node
    // applied the write, and the retry then finds the version it made.
    const written = res === 'conflict' ? (tries > 1 ? await this.ownWrite(document) : undefined) : res;
    if (!written) throw new StateConflictError(this.where(), conflict);
    this.stats.savedBytes = packed.length;
    if (written._seq_no === undefined || written._primary_term === undefined) throw new ElasticRequestError(this.where(), undefined, 'the index answer carries no _seq_no/_primary_term');
    return encode(written._seq_no, written._primary_term);
  }

  /** The stored document's version if it is exactly the one this save sent (same instant, same bytes), else undefined. */
  private async ownWrite(sent: StateDoc): Promise<{ _seq_no?: number; _primary_term?: number } | undefined> {
    const res = await callElastic<GetResponse<StateDoc> | null>(this.o.ctx, `GET ${this.o.index}/_doc`, () => this.o.client.get<StateDoc>({ index: this.o.index, id: this.o.deploymentId }),
      (status) => (status === 404 ? null : undefined));
    const doc = res?.found ? res._source : undefined;
    if (!doc || doc.saved_at !== sent.saved_at || doc.state !== sent.state || doc.deployment_id !== sent.deployment_id) return undefined;
    this.o.ctx.log?.({ level: 'warn', msg: 'the state write was applied before its answer was lost; the retry found it', index: this.o.index });
    return res ?? undefined;
  }

  private where(): string {
    return `Elasticsearch index ${this.o.index}, document ${this.o.deploymentId}`;
  }
}

function encode(seqNo: number, primaryTerm: number): StateToken {
  return `${seqNo}:${primaryTerm}`;
}

function decode(token: StateToken, where: string): { if_seq_no: number; if_primary_term: number } {
  const m = /^(\d+):(\d+)$/.exec(token);
  if (!m) throw new StateConflictError(where, 'the version token was not issued by this store');
  return { if_seq_no: Number(m[1]), if_primary_term: Number(m[2]) };
}
