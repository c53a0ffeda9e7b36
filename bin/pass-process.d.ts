/** Types of bin/pass-process.js (plain CommonJS: it runs before the TypeScript loader). */
export interface PassFacts {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: string;
  readonly glibc: () => string | undefined;
}
export function passEnv(facts: PassFacts): NodeJS.ProcessEnv | undefined;
export function relaunchEnv(facts: PassFacts & { readonly command: string | undefined; readonly execArgv: readonly string[] }): NodeJS.ProcessEnv | undefined;
export function relaunchAsPassProcess(script: string, args: readonly string[]): boolean;
export function dieWithLauncher(): void;
export function glibcVersion(): string | undefined;
export const MALLOC_ENV: Readonly<Record<string, string>>;
export const PASS_NODE_FLAGS: readonly string[];
export const LAUNCHED: string;
