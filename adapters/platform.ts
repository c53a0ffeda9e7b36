import type { Sink, Source } from '../core/engine/ports';
import type { PullPlan } from '../core/rules/pull-plan';
import type { StateStore } from '../core/state/state';

/**
 * The contract between `tierzero run` and a SIEM adapter (Splunk now; Elastic and Sentinel
 * next): from the adapter's config section, open a pass's source, sink and state store. The
 * source pulls what the pull plan names (core/rules/pull-plan.ts), compiled to the SIEM's query.
 */
export interface PlatformPass {
  readonly source: Source;
  readonly sink: Sink;
  readonly store: StateStore;
  /** Numbers worth a log line after the pass. */
  stats(): Record<string, unknown>;
  close(): void;
}

export interface PlatformDeps {
  readonly env: NodeJS.ProcessEnv;
  /** What the SIEM hands a scheduled job on stdin (Splunk's `passAuth` session key). */
  readonly readStdin: () => Promise<string>;
  readonly clock: () => number;
  readonly log: (entry: Record<string, unknown>) => void;
}

export type OpenPlatform = (section: unknown, configDir: string, plan: PullPlan, deps: PlatformDeps) => Promise<PlatformPass>;

export interface PlatformAdapter {
  readonly open: OpenPlatform;
  /** Removes credentials from any text before it is printed. */
  readonly redact: (text: string) => string;
  /** Errors that mean "this pass failed, try again later" rather than a bug. */
  readonly failures: readonly (abstract new (...args: never[]) => Error)[];
}
