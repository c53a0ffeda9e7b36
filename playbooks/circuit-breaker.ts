import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from './clock';
import { CircuitOpenError } from './errors';

const HOUR_MS = 3_600_000;

/** Persisted so a restart (or a second CLI process) cannot reset the count by accident. */
export interface BreakerState {
  readonly version: 1;
  /** Epoch ms of admitted actions in the last hour. */
  readonly actions: readonly number[];
  readonly tripped?: { readonly at: string; readonly limit: number };
}

export interface BreakerStatus {
  readonly open: boolean;
  readonly actionsLastHour: number;
  readonly limit: number;
  readonly trippedAt?: string;
}

/**
 * At most `limit` containment actions per rolling hour. The next one trips the breaker and is
 * refused, and so is everything after it — even once the hour has passed — until an operator
 * resets it: a burst of automated suspensions is the signature of a bad rule or a compromised
 * caller, and a human has to look before anything else is changed.
 */
export class CircuitBreaker {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string, readonly limit: number, private readonly clock: Clock) {}

  /** Counts one action, or throws CircuitOpenError (tripping the breaker if this is N+1). */
  admit(): Promise<void> {
    return this.serialised(async () => {
      const state = await this.load();
      if (state.tripped) throw new CircuitOpenError(state.tripped.at, state.tripped.limit);
      const now = this.clock.now();
      const recent = state.actions.filter((t) => now - t < HOUR_MS);
      if (recent.length >= this.limit) {
        const tripped = { at: new Date(now).toISOString(), limit: this.limit };
        await this.save({ version: 1, actions: recent, tripped });
        throw new CircuitOpenError(tripped.at, this.limit);
      }
      await this.save({ version: 1, actions: [...recent, now] });
    });
  }

  status(): Promise<BreakerStatus> {
    return this.serialised(async () => {
      const state = await this.load();
      const now = this.clock.now();
      return {
        open: state.tripped !== undefined,
        actionsLastHour: state.actions.filter((t) => now - t < HOUR_MS).length,
        limit: this.limit,
        ...(state.tripped && { trippedAt: state.tripped.at }),
      };
    });
  }

  /** Operator reset: closes the breaker and clears the count. Returns the state it replaced. */
  reset(): Promise<BreakerStatus> {
    return this.serialised(async () => {
      const before = await this.load();
      await this.save({ version: 1, actions: [] });
      return {
        open: before.tripped !== undefined,
        actionsLastHour: before.actions.length,
        limit: this.limit,
        ...(before.tripped && { trippedAt: before.tripped.at }),
      };
    });
  }

  private async load(): Promise<BreakerState> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, actions: [] };
      throw err;
    }
    try {
      const s = JSON.parse(text) as BreakerState;
      if (s.version !== 1 || !Array.isArray(s.actions)) throw new Error('unknown shape');
      return s;
    } catch {
      // A corrupt state file must not silently re-arm the breaker at zero: treat it as tripped.
      return { version: 1, actions: [], tripped: { at: new Date(this.clock.now()).toISOString(), limit: this.limit } };
    }
  }

  /** Write-then-rename, so a crash never leaves a half-written state file. */
  private async save(state: BreakerState): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
    await rename(tmp, this.file);
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
