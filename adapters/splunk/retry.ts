/**
 * Retry with exponential backoff and full jitter, honouring Retry-After (DESIGN §11). The
 * sleep and the random source are injected, so tests drive retries without waiting.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  /** Longest Retry-After honoured; a longer one gives up rather than stalling the pass. */
  readonly maxRetryAfterMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function retryPolicy(maxAttempts: number, overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { maxAttempts, baseMs: 500, maxMs: 30_000, maxRetryAfterMs: 300_000, sleep: defaultSleep, random: Math.random, ...overrides };
}

/** What one attempt concluded: done, or retry (after Retry-After when the server said so). */
export type Attempt<T> =
  | { readonly done: T }
  | { readonly retry: Error; readonly retryAfterMs?: number };

/** Runs `attempt` until it is done or the attempts run out; throws the last retryable error. */
export async function withRetry<T>(policy: RetryPolicy, attempt: (n: number) => Promise<Attempt<T>>, onRetry?: (e: Error, waitMs: number, n: number) => void): Promise<T> {
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    if ('done' in result) return result.done;
    if (n >= policy.maxAttempts) throw result.retry;
    const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** (n - 1)) * policy.random();
    const wait = result.retryAfterMs === undefined ? backoff : result.retryAfterMs;
    if (wait > policy.maxRetryAfterMs) throw result.retry;
    onRetry?.(result.retry, wait, n);
    await policy.sleep(wait);
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Statuses worth another try: throttled, or the server (or a proxy) temporarily unable. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}
