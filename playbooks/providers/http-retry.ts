import type { AxiosResponse } from 'axios';
import type { Clock } from '../clock';

/**
 * Retry policy shared by the Graph API and its token endpoint. Graph asks clients to wait the
 * `Retry-After` it sends with 429 (and sometimes 503), and to back off exponentially when it
 * sends none (learn.microsoft.com/graph/throttling). Transient 5xx and dropped connections are
 * retried the same way; every other status is returned to the caller to interpret.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly maxRetryAfterMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

export type RetryOutcome =
  | { readonly kind: 'response'; readonly response: AxiosResponse; readonly attempts: number }
  | { readonly kind: 'network'; readonly code: string; readonly message: string; readonly attempts: number }
  | { readonly kind: 'throttled-too-long'; readonly response: AxiosResponse; readonly waitMs: number; readonly attempts: number };

export async function sendWithRetry(
  send: () => Promise<AxiosResponse>,
  policy: RetryPolicy,
  clock: Clock,
  random: () => number = Math.random,
): Promise<RetryOutcome> {
  for (let attempt = 1; ; attempt++) {
    let response: AxiosResponse;
    try {
      response = await send();
    } catch (err) {
      const code = networkCode(err);
      if (code !== undefined && RETRYABLE_NETWORK.has(code) && attempt < policy.maxAttempts) {
        await clock.sleep(backoff(attempt, policy, random));
        continue;
      }
      // Only the code and the library's message: an axios error also carries the request
      // config, headers included, which would put the bearer token in a log.
      return { kind: 'network', code: code ?? 'ERR_NETWORK', message: err instanceof Error ? err.message : String(err), attempts: attempt };
    }
    if (!RETRYABLE_STATUS.has(response.status) || attempt >= policy.maxAttempts) return { kind: 'response', response, attempts: attempt };
    const asked = retryAfterMs(response.headers['retry-after'], clock.now());
    if (asked !== undefined && asked > policy.maxRetryAfterMs) return { kind: 'throttled-too-long', response, waitMs: asked, attempts: attempt };
    await clock.sleep(asked ?? backoff(attempt, policy, random));
  }
}

/** Exponential backoff with equal jitter: half fixed, half random, capped. */
export function backoff(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterMs(header: unknown, nowMs: number): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function networkCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') return (err as { code: string }).code;
  return undefined;
}
