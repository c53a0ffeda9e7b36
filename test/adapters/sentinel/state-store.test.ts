import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { BlobStateStore } from '../../../adapters/sentinel/state-store';
import { StateStorageError } from '../../../adapters/sentinel/write-errors';
import { emptyState, StateConflictError, StateInvalidError, type EngineState } from '../../../core/state/state';
import { AZURITE_ACCOUNT, AZURITE_KEY, useAzurite, type AzuriteBlob } from '../../support/azurite';

function state(n: number, extra: Record<string, unknown> = {}): EngineState {
  return { ...emptyState(), checkpoint: { ingestedUntil: n }, watermark: n * 1000, delivered: { [`tz-${'a'.repeat(24)}`]: n }, detectors: extra };
}

const key = (): StorageSharedKeyCredential => new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);

describe('Blob state on Azurite (ETag compare-and-set)', function () {
  this.timeout(60_000);
  let azurite: AzuriteBlob;
  let container: string;
  before(async function () {
    azurite = await useAzurite(this);
  });
  beforeEach(() => {
    container = `tz-${randomUUID().slice(0, 8)}`;
  });

  const store = (credential: StorageSharedKeyCredential = key(), blob = 'engine-state.json'): BlobStateStore =>
    new BlobStateStore({ accountUrl: new URL(azurite.accountUrl), container, blob, credential, maxAttempts: 2, timeoutMs: 30_000 });

  it('first write: nothing stored loads as undefined, creates the container, and reads back', async () => {
    const s = store();
    assert.equal(await s.load(), undefined);
    const token = await s.save(state(1), null);
    const loaded = await store().load();
    assert.deepEqual(loaded?.state, state(1));
    assert.equal(loaded?.token, token);
    // The blob's ETag is the token: what Azurite reports for it.
    const props = await new ContainerClient(`${azurite.accountUrl}/${container}`, key()).getBlobClient('engine-state.json').getProperties();
    assert.equal(token, `blob-etag:${props.etag}`);
  });

  it('a second first write (If-None-Match: *) loses to the one that got there first', async () => {
    await store().save(state(1), null);
    await assert.rejects(store().save(state(2), null), StateConflictError);
    assert.deepEqual((await store().load())?.state, state(1));
  });

  it('two passes that loaded the same state: exactly one commits, the other commits nothing', async () => {
    await store().save(state(1), null);
    const [a, b] = [store(), store()];
    const [la, lb] = [await a.load(), await b.load()];
    assert.ok(la && lb);
    const results = await Promise.allSettled([a.save(state(2), la.token), b.save(state(3), lb.token)]);
    const committed = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(committed.length, 1);
    assert.equal(refused.length, 1);
    assert.ok(refused[0]?.reason instanceof StateConflictError, String(refused[0]?.reason));
    const now = (await store().load())?.state;
    assert.ok(now?.watermark === 2000 || now?.watermark === 3000);
    // The winner's state is stored, not a mix: its watermark and checkpoint agree.
    assert.deepEqual(now.checkpoint, { ingestedUntil: now.watermark / 1000 });
  });

  it('a pass whose loaded state was replaced meanwhile is refused, and successive commits chain', async () => {
    const s = store();
    const t1 = await s.save(state(1), null);
    const t2 = await s.save(state(2), t1);
    await assert.rejects(s.save(state(3), t1), StateConflictError);
    const t3 = await s.save(state(3), t2);
    assert.notEqual(t3, t2);
    assert.deepEqual((await s.load())?.state, state(3));
  });

  it('keeps a large state (12 MB) in one blob and reads it back whole', async () => {
    const big = state(4, { baseline: { pad: 'x'.repeat(12 * 1024 * 1024) } });
    const s = store();
    await s.save(big, null);
    const blobs: string[] = [];
    for await (const b of new ContainerClient(`${azurite.accountUrl}/${container}`, key()).listBlobsFlat()) blobs.push(b.name);
    assert.deepEqual(blobs, ['engine-state.json']);
    assert.deepEqual((await store().load())?.state, big);
  });

  it('refuses a token another store issued', async () => {
    await store().save(state(1), null);
    await assert.rejects(store().save(state(2), '{"generation":1,"file":null}'), StateConflictError);
  });

  it('refuses a stored document that is not a valid state, rather than starting afresh', async () => {
    const c = new ContainerClient(`${azurite.accountUrl}/${container}`, key());
    await c.create();
    const text = JSON.stringify({ version: 1, checkpoint: null });
    await c.getBlockBlobClient('engine-state.json').upload(text, text.length);
    await assert.rejects(store().load(), StateInvalidError);
  });

  it('a wrong account key is a StateStorageError naming the blob, with no key in it', async () => {
    const wrong = new StorageSharedKeyCredential(AZURITE_ACCOUNT, Buffer.from('not the key at all, really').toString('base64'));
    const err = await store(wrong).load().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StateStorageError, String(err));
    assert.match(err.message, new RegExp(`${container}/engine-state\\.json`));
    assert.match(err.message, /HTTP 403/);
    assert.doesNotMatch(err.message, /Eby8vdM02/);
  });
});
