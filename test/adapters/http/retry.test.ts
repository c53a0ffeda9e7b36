import { strict as assert } from 'node:assert';
import { backoffMs, isRetryableError, isRetryableStatus, retryAfterMs, retryPolicy, sendWithRetry, withRetry, type RetryPolicy } from '../../../adapters/http/retry';

/** A policy whose waits are recorded, not slept. */
function recording(o: Partial<RetryPolicy> = {}): { policy: RetryPolicy; waits: number[] } {
  const waits: number[] = [];
  return { waits, policy: retryPolicy(4, { baseMs: 100, maxMs: 1000, random: () => 1, now: () => Date.parse('2026-03-01T12:00:00Z'), sleep: async (ms) => { waits.push(ms); }, ...o }) };
}

interface Res { status: number; retryAfter?: string }
const shape = { status: (r: Res) => r.status, retryAfter: (r: Res) => r.retryAfter };

function replies(...list: (Res | Error)[]): () => Promise<Res> {
  return async () => {
    const next = list.shift();
    if (next === undefined) throw new Error('no more replies');
    if (next instanceof Error) throw next;
    return next;
  };
}

describe('adapters/http: the one retry policy', () => {
  it('reads Retry-After given in seconds', () => {
    assert.equal(retryAfterMs('7', 0), 7000);
  });

  it('reads Retry-After given as an HTTP date, relative to the injected clock', () => {
    assert.equal(retryAfterMs('Sun, 01 Mar 2026 12:00:05 GMT', Date.parse('2026-03-01T12:00:00Z')), 5000);
  });

  it('treats a Retry-After in the past as no wait, and garbage as absent', () => {
    assert.equal(retryAfterMs('Sun, 01 Mar 2026 11:00:00 GMT', Date.parse('2026-03-01T12:00:00Z')), 0);
    assert.equal(retryAfterMs('soon', 0), undefined);
    assert.equal(retryAfterMs(undefined, 0), undefined);
  });

  it('doubles the backoff ceiling per attempt and caps it', () => {
    const p = { baseMs: 100, maxMs: 1000, random: () => 1 };
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffMs(p, n)), [100, 200, 400, 800, 1000, 1000]);
  });

  it('draws the wait uniformly below the ceiling (full jitter)', () => {
    assert.equal(backoffMs({ baseMs: 100, maxMs: 1000, random: () => 0.25 }, 3), 100);
    assert.equal(backoffMs({ baseMs: 100, maxMs: 1000, random: () => 0 }, 3), 0);
  });

  it('retries 429, 502, 503 and 504, and not 400, 401, 404 or 500', () => {
    assert.deepEqual([429, 502, 503, 504].map(isRetryableStatus), [true, true, true, true]);
    assert.deepEqual([400, 401, 404, 500].map(isRetryableStatus), [false, false, false, false]);
  });

  it('retries connection resets and timeouts, not other errors', () => {
    assert.equal(isRetryableError(Object.assign(new Error('hang up'), { code: 'ECONNRESET' })), true);
    assert.equal(isRetryableError(Object.assign(new Error('slow'), { code: 'ETIMEDOUT' })), true);
    assert.equal(isRetryableError(Object.assign(new Error('bad cert'), { code: 'CERT_HAS_EXPIRED' })), false);
    assert.equal(isRetryableError(new Error('no code')), false);
  });

  it('waits what Retry-After asks instead of the backoff', async () => {
    const { policy, waits } = recording();
    const out = await sendWithRetry(replies({ status: 429, retryAfter: '3' }, { status: 200 }), shape, policy);
    assert.equal(out.kind, 'response');
    assert.deepEqual(waits, [3000]);
  });

  it('backs off exponentially when the server names no wait', async () => {
    const { policy, waits } = recording();
    await sendWithRetry(replies({ status: 503 }, { status: 502 }, { status: 504 }, { status: 200 }), shape, policy);
    assert.deepEqual(waits, [100, 200, 400]);
  });

  it('hands back the last response once the attempts run out', async () => {
    const { policy, waits } = recording();
    const out = await sendWithRetry(replies({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }), shape, policy);
    assert.deepEqual(out.kind === 'response' && [out.response.status, out.attempts], [503, 4]);
    assert.equal(waits.length, 3);
  });

  it('gives up at once when Retry-After is longer than the cap', async () => {
    const { policy, waits } = recording({ maxRetryAfterMs: 10_000 });
    const out = await sendWithRetry(replies({ status: 429, retryAfter: '60' }), shape, policy);
    assert.deepEqual(out.kind === 'throttled-too-long' && out.waitMs, 60_000);
    assert.deepEqual(waits, []);
  });

  it('retries a dropped connection and reports the code when it keeps dropping', async () => {
    const reset = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { policy } = recording();
    const out = await sendWithRetry(replies(reset(), reset(), reset(), reset()), shape, policy);
    assert.deepEqual(out.kind === 'network' && [out.code, out.attempts], ['ECONNRESET', 4]);
  });

  it('does not retry a non-retryable transport error', async () => {
    const { policy, waits } = recording();
    const out = await sendWithRetry(replies(Object.assign(new Error('bad cert'), { code: 'CERT_HAS_EXPIRED' })), shape, policy);
    assert.deepEqual(out.kind === 'network' && out.attempts, 1);
    assert.deepEqual(waits, []);
  });

  it('withRetry throws the last retryable error after maxAttempts', async () => {
    const { policy, waits } = recording();
    let n = 0;
    await assert.rejects(withRetry(policy, async () => ({ retry: new Error(`busy ${++n}`) })), /busy 4/);
    assert.equal(waits.length, 3);
  });
});
