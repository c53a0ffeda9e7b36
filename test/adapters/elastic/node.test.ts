import assert from 'node:assert/strict';
import { Client } from '@elastic/elasticsearch';
import { useElasticsearch } from '../../support/elasticsearch';

describe('elastic: the real Elasticsearch node the suite runs on', () => {
  it('answers as an 8.x cluster to the pinned 8.x client (which sends compatible-with=8)', async function () {
    const es = await useElasticsearch(this);
    const client = new Client({ node: es.url });
    // Yellow is what a one-node cluster shows once other suites have created indices with the
    // default one replica (the alert data stream, the risk index): every primary is still assigned.
    const health = await client.cluster.health();
    assert.ok(health.status === 'green' || health.status === 'yellow', health.status);
    assert.equal(health.unassigned_primary_shards ?? 0, 0);
    const nodes = await client.nodes.info({ filter_path: 'nodes.*.version' });
    const versions = Object.values(nodes.nodes).map((n) => n.version);
    assert.ok(versions.every((v) => v.startsWith('8.')), versions.join(','));
    await client.close();
  });
});
