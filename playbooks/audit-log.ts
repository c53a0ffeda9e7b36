import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from './clock';
import { scrubSecrets } from '../core/config/secret';

/** One line of the audit trail. `event` says which moment of an action the line records. */
export type AuditEvent =
  | { readonly event: 'action.started'; readonly dryRun: boolean; readonly target: string }
  | { readonly event: 'action.refused'; readonly error: { readonly type: string; readonly message: string } }
  | { readonly event: 'step'; readonly step: string; readonly status: string; readonly detail: string; readonly error?: { readonly type: string; readonly message: string } }
  | { readonly event: 'action.finished'; readonly outcome: string; readonly summary: string }
  | { readonly event: 'breaker.reset'; readonly previous: unknown };

export interface AuditContext {
  readonly actionId: string;
  readonly actor: string;
  readonly action: string;
  readonly user: string;
  readonly reason?: string;
  readonly alertId?: string;
}

/**
 * Append-only JSON lines: who, what, when, why, which alert, every step and its result. Lines
 * are written as each moment happens (O_APPEND, one write per line), so a crash mid-action still
 * leaves the steps that ran. Values come from our own step results, never from secrets, and the
 * whole line is scrubbed of every registered secret before it is written, as a second guard.
 */
export class AuditLog {
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly file: string, private readonly clock: Clock) {}

  write(context: AuditContext, event: AuditEvent): Promise<void> {
    const line = scrubSecrets(JSON.stringify({ time: new Date(this.clock.now()).toISOString(), ...context, ...event })) + '\n';
    const run = this.queue.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, line, { flag: 'a', mode: 0o600 });
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
