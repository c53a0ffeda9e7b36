/**
 * The one retry policy for every adapter and playbook (DESIGN §2, §11): capped exponential
 * backoff with full jitter, Retry-After honoured up to a cap, and one list of what is worth
 * another try. Clock, sleep and random are injected, so tests drive retries without waiting.
 *
 * Full jitter (wait = random × min(cap, base × 2^(n-1))) spreads clients that failed together,
 * the variant AWS measured best ("Exponential Backoff And Jitter", AWS Architecture Blog, 2015).
 * Graph asks for Retry-After first and exponential backoff without it
 * (learn.microsoft.com/graph/throttling); Splunk HEC and search heads send 503/429 the same way.
 */
export interface RetryPolicy {
  /** Tries in all, counting the first. */
  readonly maxAttempts: number;
  readonly baseMs: number;
  /** Ceiling of one backoff wait. */
  readonly maxMs: number;
  /** Longest Retry-After honoured; a longer one gives up rather than stalling the pass. */
  readonly maxRetryAfterMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function retryPolicy(maxAttempts: number, overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { maxAttempts, baseMs: 500, maxMs: 30_000, maxRetryAfterMs: 300_000, sleep: defaultSleep, random: Math.random, now: Date.now, ...overrides };
}

/** The wait before try `attempt + 1` when the server named none: full jitter under a capped doubling. */
export function backoffMs(policy: Pick<RetryPolicy, 'baseMs' | 'maxMs' | 'random'>, attempt: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1)) * policy.random();
}

/**
 * Statuses worth another try: throttled (429), or a gateway or server that said it is only
 * temporarily unable (502/503/504). A 500 is an answer about this request, not about load.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/** Transport failures worth another try: the connection dropped, was refused for now, or timed out. */
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export function isRetryableError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && RETRYABLE_CODES.has(code);
}

export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') return (err as { code: string }).code;
  return undefined;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
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
    const wait = result.retryAfterMs ?? backoffMs(policy, n);
    if (wait > policy.maxRetryAfterMs) throw result.retry;
    onRetry?.(result.retry, wait, n);
    await policy.sleep(wait);
  }
}

/** How a caller's HTTP client shows a response's status and Retry-After header. */
export interface ResponseShape<R> {
  readonly status: (response: R) => number;
  readonly retryAfter: (response: R) => unknown;
}

export type RetryOutcome<R> =
  | { readonly kind: 'response'; readonly response: R; readonly attempts: number }
  | { readonly kind: 'network'; readonly code: string; readonly message: string; readonly attempts: number }
  | { readonly kind: 'throttled-too-long'; readonly response: R; readonly waitMs: number; readonly attempts: number };

/**
 * For clients that interpret every final status themselves (Graph): retries retryable statuses
 * and transport errors, then hands back the last response, the network failure, or a Retry-After
 * too long to wait. Only the error's code and message come back: an axios error also carries the
 * request config, headers included, which would put a bearer token in a log.
 */
export async function sendWithRetry<R>(send: () => Promise<R>, shape: ResponseShape<R>, policy: RetryPolicy): Promise<RetryOutcome<R>> {
  for (let attempt = 1; ; attempt++) {
    let response: R;
    try {
      response = await send();
    } catch (err) {
      if (isRetryableError(err) && attempt < policy.maxAttempts) {
        await policy.sleep(backoffMs(policy, attempt));
        continue;
      }
      return { kind: 'network', code: errorCode(err) ?? 'ERR_NETWORK', message: err instanceof Error ? err.message : String(err), attempts: attempt };
    }
    if (!isRetryableStatus(shape.status(response)) || attempt >= policy.maxAttempts) return { kind: 'response', response, attempts: attempt };
    const asked = retryAfterMs(shape.retryAfter(response), policy.now());
    if (asked !== undefined && asked > policy.maxRetryAfterMs) return { kind: 'throttled-too-long', response, waitMs: asked, attempts: attempt };
    await policy.sleep(asked ?? backoffMs(policy, attempt));
  }
}
