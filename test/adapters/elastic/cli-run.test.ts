import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemorySink } from '../../../adapters/file/file-sink';
import { FileSource } from '../../../adapters/file/file-source';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { DATASETS, datasetsPresent } from '../../core/rules/datasets';
import { tierzero, type CliResult } from '../../support/cli';
import { useElasticsearch, type EsNode } from '../../support/elasticsearch';
import { FaultProxy, type ProxiedRequest } from '../../support/fault-proxy';
import { indexRecords, namespace } from './es-events';

/**
 * `tierzero run --config` with an `elastic` section, as a scheduler runs it, against the real
 * node: the CLI in a child process, its real clock, the real client. Events are indexed with
 * `event.ingested` a few minutes ago by the wall clock, so the first pass's lookback finds them.
 * Faults (503/429, per-item bulk errors, a SIGKILL between the bulk acknowledgement and the state
 * commit) come from the loopback fault proxy in front of the node.
 */
const FILES = ['dcsync-eas-ca_dcsync_4662.jsonl', 'kerberoast-hse-yamato.jsonl'];

function records(file: string): Record<string, unknown>[] {
  return readFileSync(join(DATASETS, file), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** What `tierzero detect` gives for the files: the ids every Elastic pass must end up holding, once each. */
async function detectIds(files: readonly string[]): Promise<string[]> {
  const sink = new MemorySink();
  const config = resolveConfig({}, DECLARATIONS);
  await runPass({ source: new FileSource(files.map((f) => join(DATASETS, f)), { maxLineBytes: config.maxLineBytes }), sink, store: new MemoryStateStore(), quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES });
  return sink.alerts.map((a) => a.id).sort();
}

interface RunSummary {
  status: string; alerts: number; records: number; pulled: number;
  sink: { created: number; alreadyPresent: number; conflicts: number; throttledItems: number; scores: number };
  error?: string;
}
const summary = (r: CliResult): RunSummary => JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as RunSummary;

describe('tierzero run on Elasticsearch (CLI, real node)', function () {
  this.timeout(180_000);
  let es: EsNode;
  let client: Client;
  let proxy: FaultProxy;
  let expected: string[];

  before(async function () {
    if (!datasetsPresent()) this.skip();
    es = await useElasticsearch(this);
    client = new Client({ node: es.url });
    proxy = await FaultProxy.start(es.url);
    expected = await detectIds(FILES);
    assert.ok(expected.length >= 2, 'the datasets raise alerts');
  });
  afterEach(() => proxy.clear());
  after(async () => {
    await client?.close();
    await proxy?.close();
  });

  /** A namespace holding the datasets' events in the Agent layout, ingested ten minutes ago. */
  async function deployment(): Promise<{ ns: string; config: (url?: string, extra?: Record<string, unknown>) => Promise<string> }> {
    const ns = namespace();
    const base = Date.now() - 600_000;
    const all = FILES.flatMap(records);
    await indexRecords(client, all, 'agent', ns, (i) => new Date(base + i).toISOString());
    const dir = await mkdtemp(join(tmpdir(), 'tz-es-cli-'));
    return {
      ns,
      config: async (url = es.url, extra = {}) => {
        const path = join(dir, 'tierzero.json');
        await writeFile(path, JSON.stringify({
          elastic: {
            url, namespace: ns, maxAttempts: 4, state: { index: `tierzero-state-${ns}` },
            indices: { windows: [`logs-system.security-${ns}`, `winlogbeat-${ns}`], entra: [`logs-azure.signinlogs-${ns}`] },
            search: { settleSeconds: 0, pageSize: 500 }, ...extra,
          },
        }));
        return path;
      },
    };
  }
  /** Every alert document in the data stream, duplicates included (a duplicate would show twice). */
  async function alertIds(ns: string): Promise<string[]> {
    const index = `logs-tierzero.alert-${ns}`;
    await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
    const res = await client.search({ index, size: 10_000, _source: false, query: { match_all: {} }, ignore_unavailable: true, allow_no_indices: true });
    return res.hits.hits.map((h) => h._id ?? '').sort();
  }
  async function stateDoc(ns: string): Promise<{ seqNo: number; ingested: string } | undefined> {
    const r = await client.get({ index: `tierzero-state-${ns}`, id: ns }, { ignore: [404] });
    return r.found ? { seqNo: r._seq_no ?? -1, ingested: String((r._source as Record<string, unknown>)['saved_at']) } : undefined;
  }
  const isStateWrite = (ns: string) => (r: ProxiedRequest): boolean => (r.method === 'PUT' || r.method === 'POST') && r.path.startsWith(`/tierzero-state-${ns}/_doc/`);

  it('pulls, detects, writes alerts to logs-tierzero.alert-<namespace> and scores to the risk index, and commits state', async () => {
    const d = await deployment();
    const r = await tierzero(['run', '--config', await d.config(), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = summary(r);
    assert.equal(s.status, 'ok');
    // Pushed down: candidate events only, never more than were indexed.
    assert.ok(s.pulled > 0 && s.pulled <= FILES.flatMap(records).length, `${s.pulled} pulled`);
    assert.equal(s.records, s.pulled);
    assert.equal(s.alerts, expected.length);
    assert.deepEqual(await alertIds(d.ns), expected);
    assert.ok(s.sink.scores > 0, 'score updates written');
    await client.indices.refresh({ index: `tierzero-risk-score-latest-${d.ns}` });
    const risk = await client.search({ index: `tierzero-risk-score-latest-${d.ns}`, size: 100, query: { exists: { field: 'user.risk.calculated_score_norm' } } });
    assert.equal(risk.hits.hits.length, s.sink.scores);
    assert.ok(await stateDoc(d.ns), 'state committed');
    const templates = await client.indices.getIndexTemplate({ name: 'tierzero-*' });
    assert.ok(templates.index_templates.some((t) => t.name === 'tierzero-alert'));
    for (const line of r.stderr.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), line);
  });

  it('writes nothing new when the same window is replayed from the start', async () => {
    const d = await deployment();
    const config = await d.config();
    assert.equal((await tierzero(['run', '--config', config])).code, 0);
    const next = await tierzero(['run', '--config', config, '--json']);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(summary(next).alerts, 0);
    // A replay of the whole window: the state document deleted, the same events pulled again.
    await client.delete({ index: `tierzero-state-${d.ns}`, id: d.ns, refresh: true });
    const replay = await tierzero(['run', '--config', config, '--json']);
    assert.equal(replay.code, 0, replay.stderr);
    assert.equal(summary(replay).sink.created, 0);
    assert.equal(summary(replay).sink.alreadyPresent + summary(replay).sink.conflicts, expected.length);
    assert.deepEqual(await alertIds(d.ns), expected);
  });

  it('after a SIGKILL between the bulk acknowledgement and the state commit, the rerun adds no duplicate and misses no alert', async () => {
    const d = await deployment();
    let child: ChildProcess | undefined;
    proxy.inject({
      match: isStateWrite(d.ns), times: 1,
      // The state write reaches the proxy only after every bulk was acknowledged: the pass dies there.
      respond: () => {
        child?.kill('SIGKILL');
        return { status: 503, body: {} };
      },
    });
    const crashed = await tierzero(['run', '--config', await d.config(proxy.url)], { onStderr: (_t, c) => { child = c; } });
    assert.equal(crashed.code, null, `killed, not exited: ${crashed.stderr}`);
    assert.equal(proxy.pending(), 0);
    assert.equal(await stateDoc(d.ns), undefined, 'nothing committed');
    assert.deepEqual(await alertIds(d.ns), expected, 'the bulk was acknowledged before the kill');
    const rerun = await tierzero(['run', '--config', await d.config(), '--json']);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(summary(rerun).sink.created, 0);
    assert.deepEqual(await alertIds(d.ns), expected);
    assert.ok(await stateDoc(d.ns));
  });

  it('lets exactly one of two overlapping passes commit, with each alert written once', async () => {
    const d = await deployment();
    let arrived = 0;
    let release: () => void = () => undefined;
    const both = new Promise<void>((res) => { release = res; });
    // Both passes have loaded the state (none yet) before either goes on: they overlap for sure.
    proxy.inject({
      match: (r) => r.method === 'GET' && r.path.startsWith(`/tierzero-state-${d.ns}/_doc/`), times: 2,
      before: async () => {
        if (++arrived === 2) release();
        await both;
      },
    });
    const config = await d.config(proxy.url);
    const runs = await Promise.all([tierzero(['run', '--config', config, '--json']), tierzero(['run', '--config', config, '--json'])]);
    assert.deepEqual(runs.map((r) => r.code).sort(), [0, 3], runs.map((r) => r.stderr).join('\n'));
    const loser = runs.find((r) => r.code === 3) as CliResult;
    assert.match(summary(loser).error ?? '', /StateConflictError: another pass committed state at Elasticsearch index tierzero-state-\S+, document \S+ first .*rerun/);
    assert.deepEqual(await alertIds(d.ns), expected, 'no duplicate, none missing');
    const state = await stateDoc(d.ns);
    assert.equal(state?.seqNo, 0, 'one write to the state document');
    const next = await tierzero(['run', '--config', await d.config(), '--json']);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(summary(next).alerts, 0);
  });

  it('rides out 503s and 429s on the PIT, the search and the bulk, and per-item 429s, writing each alert once', async () => {
    const d = await deployment();
    const unavailable = { status: 503, body: { error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' }, status: 503 } };
    proxy.inject({ match: (r) => r.path.includes('/_pit'), times: 1, respond: unavailable });
    proxy.inject({ match: (r) => r.path.startsWith('/_search') && r.body.includes('"pit"'), times: 1, respond: { status: 429, headers: { 'retry-after': '1' }, body: { error: { type: 'es_rejected_execution_exception', reason: 'rejected' }, status: 429 } } });
    proxy.inject({ match: (r) => r.path.startsWith('/_bulk'), times: 1, respond: unavailable });
    proxy.inject({
      match: (r) => r.path.startsWith('/_bulk') && r.body.includes('"create"'), times: 1,
      rewrite: (up) => {
        const res = JSON.parse(up.body) as { items: Record<string, Record<string, unknown>>[] };
        const item = res.items[0]?.['create'] as Record<string, unknown>;
        res.items[0] = { create: { _index: item['_index'], _id: item['_id'], status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } };
        return { status: 200, body: { ...res, errors: true } };
      },
    });
    const r = await tierzero(['run', '--config', await d.config(proxy.url), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(proxy.pending(), 0, 'every fault was hit');
    assert.equal(summary(r).sink.throttledItems, 1);
    assert.deepEqual(await alertIds(d.ns), expected);
    assert.match(r.stderr, /Elasticsearch retry/);
  });

  it('fails the pass with exit 3 before the state commit when the node refuses an alert, and the next pass delivers it', async () => {
    const d = await deployment();
    proxy.inject({
      match: (r) => r.path.startsWith('/_bulk') && r.body.includes('"create"'), times: 1,
      respond: (req) => ({
        status: 200,
        body: { errors: true, took: 1, items: req.body.trim().split('\n').filter((_, i) => i % 2 === 0).map((l) => ({ create: { _index: `logs-tierzero.alert-${d.ns}`, _id: (JSON.parse(l) as { create: { _id: string } }).create._id, status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse field [host.ip]' } } })) },
      }),
    });
    const r = await tierzero(['run', '--config', await d.config(proxy.url), '--json']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(summary(r).error ?? '', /SinkRejectedError: Elasticsearch refused \d+ document\(s\) written to logs-tierzero\.alert-.*document_parsing_exception/);
    assert.equal(await stateDoc(d.ns), undefined);
    const next = await tierzero(['run', '--config', await d.config(), '--json']);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(await alertIds(d.ns), expected);
  });

  it('fails with exit 3 naming the credential on a 401, never printing the API key', async () => {
    const d = await deployment();
    proxy.inject({ match: () => true, times: 100, respond: { status: 401, body: { error: { type: 'security_exception', reason: 'unable to authenticate with provided credentials' }, status: 401 } } });
    const key = 'c2VjcmV0LWlkOnNlY3JldC1hcGkta2V5LTEyMzQ1';
    const r = await tierzero(['run', '--config', await d.config(proxy.url, { apiKeyEnv: 'TZ_TEST_ES_API_KEY' })], { env: { TZ_TEST_ES_API_KEY: key } });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /ElasticAuthError: .*HTTP 401: the credentials were refused.*security_exception/);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(key));
  });

  it('exits 2 naming the key when the elastic section is wrong', async () => {
    const d = await deployment();
    const r = await tierzero(['run', '--config', await d.config(es.url, { settle: 5 })]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /elastic\.settle is not a known key/);
  });
});

describe('tierzero doctor --config and package elastic (CLI, real node)', function () {
  this.timeout(180_000);
  let es: EsNode;
  let client: Client;

  before(async function () {
    if (!datasetsPresent()) this.skip();
    es = await useElasticsearch(this);
    client = new Client({ node: es.url });
  });
  after(async () => client?.close());

  it('doctor reports the node and the events per channel and event.code counted there, and the blind detectors', async () => {
    const ns = namespace();
    // Event time a day ago, so the last 7 days hold them.
    const start = Date.now() - 86_400_000;
    const recs: Record<string, unknown>[] = records('dcsync-eas-ca_dcsync_4662.jsonl').map((r, i) => ({ ...r, TimeCreated: new Date(start + i * 1000).toISOString() }));
    await indexRecords(client, recs, 'agent', ns, () => new Date().toISOString());
    const dir = await mkdtemp(join(tmpdir(), 'tz-es-doctor-'));
    const config = join(dir, 'tierzero.json');
    await writeFile(config, JSON.stringify({ elastic: { url: es.url, namespace: ns, indices: { windows: [`logs-system.security-${ns}`], entra: [`logs-azure.signinlogs-${ns}`] } } }));
    const r = await tierzero(['doctor', '--config', config, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { status: string; platform: string; counts: { channel: string; eventId: number; count: number }[]; checks: { setting: string; status: string; detail: string }[]; blind: string[]; query: string };
    assert.equal(report.platform, 'elastic');
    assert.ok(report.checks.some((c) => c.setting === 'elastic.url' && c.status === 'ok' && /cluster .* at http:\/\/127\.0\.0\.1/.test(c.detail)));
    const n4662 = recs.filter((x) => x['EventID'] === 4662).length;
    assert.deepEqual(report.counts.filter((c) => c.eventId === 4662), [{ channel: 'Security', eventId: 4662, count: n4662 }]);
    assert.ok(report.blind.includes('kerberoasting'), 'no 4769 indexed');
    assert.match(report.query, /^POST \/logs-system\.security-\S+\/_search\n\{/);
  });

  it('doctor names the url when nothing answers there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tz-es-doctor-'));
    const config = join(dir, 'tierzero.json');
    await writeFile(config, JSON.stringify({ elastic: { url: 'http://127.0.0.1:9', maxAttempts: 1 } }));
    const r = await tierzero(['doctor', '--config', config]);
    // doctor's exit 1: a check failed (cli/doctor-platform.ts), as for Splunk.
    assert.equal(r.code, 1);
    assert.match(r.stderr + r.stdout, /elastic\.url: cannot reach Elasticsearch at http:\/\/127\.0\.0\.1:9/);
  });

  it('package elastic writes the NDJSON rule pack, the dashboards and the connector', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tz-es-pkg-'));
    const r = await tierzero(['package', 'elastic', '--out', out], { env: { SOURCE_DATE_EPOCH: '1767225600' } });
    assert.equal(r.code, 0, r.stderr);
    const dir = join(out, readdirSync(out).find((f) => f.startsWith('tierzero-elastic-')) ?? 'missing');
    const rules = readFileSync(join(dir, 'rules.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rule_id: string; type: string; name: string });
    assert.ok(rules.length > 5, `${rules.length} rules`);
    assert.equal(new Set(rules.map((x) => x.rule_id)).size, rules.length);
    assert.ok(rules.some((x) => /promot/i.test(x.name) || x.type === 'query'), 'the promotion rule');
    assert.ok(existsSync(join(dir, 'dashboard.ndjson')));
    assert.ok(existsSync(join(dir, 'connector', 'tierzero-responder.json')));
    assert.match(r.stdout, /tierzero-elastic-\S+ \(\d+ files, \d+ KiB\)/);
  });
});
