import type { DetectorDeclaration } from '../core/detectors/detector';
import type { Sink, Source } from '../core/engine/ports';
import type { QueryCompiler } from '../core/rules/compiler';
import type { PullPlan } from '../core/rules/pull-plan';
import type { StateStore } from '../core/state/state';

/**
 * The platform contract v2 (DESIGN §7): what a SIEM adapter gives `tierzero run`, `package`
 * and `doctor`. A platform registers under its config key in `adapters/index.ts`; the CLI and
 * core find it there and never name it. Its source pulls what the pull plan names
 * (core/rules/pull-plan.ts), compiled to the SIEM's query by its compiler.
 */
export interface Platform {
  /** One scheduled pass: source, sink and state store, from the platform's config section. */
  readonly open: OpenPlatform;
  /** `doctor --config`: connectivity and auth, then events per channel and EventID counted in the SIEM. */
  readonly probe: ProbePlatform;
  /** The installable artefact (Splunk app, Elastic rule pack, Sentinel ARM template); loads lazily. */
  readonly packager?: () => Packager;
  /** The query compiler (core/rules/compiler.ts): native rules and the pull query in the platform's language. */
  readonly compiler: QueryCompiler<never, unknown>;
  /** Removes credentials from any text before it is printed. */
  readonly redact: (text: string) => string;
  /** Errors that mean "this pass failed, try again later" rather than a bug. */
  readonly failures: readonly (abstract new (...args: never[]) => Error)[];
}

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

export interface ProbeOptions {
  /** Count events of the last `days` days (event time). */
  readonly days: number;
}

/** One check that passed, e.g. `splunk.url` reachable, with what it found. */
export interface ProbeCheck {
  readonly setting: string;
  readonly status: 'ok' | 'warn';
  readonly detail: string;
}

/** Events of one channel and EventID in the SIEM (EventID 0 for cloud tables such as SigninLogs). */
export interface ChannelCount {
  readonly channel: string;
  readonly eventId: number;
  readonly count: number;
}

export interface ProbeReport {
  readonly platform: string;
  readonly checks: readonly ProbeCheck[];
  readonly counts: readonly ChannelCount[];
  /** The count query as sent, so an admin can run it in the SIEM's own search. */
  readonly query: string;
  readonly since: string;
  readonly until: string;
}

export type ProbePlatform = (section: unknown, configDir: string, plan: PullPlan, deps: PlatformDeps, o: ProbeOptions) => Promise<ProbeReport>;

/**
 * A probe step that failed, naming the setting to fix (`splunk.url`, `splunk.passwordEnv`, …).
 * The message carries the platform's own answer, never a credential.
 */
export class ProbeFailedError extends Error {
  override name = 'ProbeFailedError';
  constructor(readonly setting: string, detail: string) {
    super(`${setting}: ${detail}`);
  }
}

export interface PackageOptions {
  readonly outDir: string;
  readonly version: string;
  readonly mtime: number;
  readonly declarations: readonly DetectorDeclaration[];
}

export type Packager = (o: PackageOptions) => Promise<{ path: string; bytes: number; files: number }>;
